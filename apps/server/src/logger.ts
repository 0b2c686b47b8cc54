/**
 * pino options for the hub. Secrets never reach the logs: tokens, cookies, passwords and
 * authorization headers are redacted, and request bodies are not logged at all.
 */
import type { LoggerOptions } from 'pino';

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'req.query.access_token',
        'req.query.appsecret_proof',
        'req.query["hub.verify_token"]',
        'res.headers["set-cookie"]',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req(req: { method: string; url: string; id: string }) {
        // Query strings can carry access tokens: log the path only.
        return { id: req.id, method: req.method, url: req.url.split('?')[0] };
      },
    },
  };
}

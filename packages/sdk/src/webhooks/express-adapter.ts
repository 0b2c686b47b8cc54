/**
 * @module webhooks/express-adapter
 * Webhook middleware for Express (typed structurally; no Express import).
 */
import type { Bot } from './bot.js';
import type { WebhookHandlerOptions } from './handle-request.js';
import { runNodeRequest, writeNodeResponse, type NodeRequestLike, type NodeResponseLike } from './node-adapter.js';

/** The subset of an Express request the middleware reads. */
export interface ExpressRequestLike extends NodeRequestLike {
  /** Set by `express.raw()` (bytes) or `express.text()` (string); a parsed object cannot be verified. */
  body?: unknown;
  /** Set by the common `express.json({ verify: (req, _res, buf) => { req.rawBody = buf } })` pattern. */
  rawBody?: unknown;
  /** Whether the body stream was already consumed by another parser. */
  readableEnded?: boolean;
}

const rawBodyOf = (req: ExpressRequestLike): Uint8Array | string | undefined => {
  for (const candidate of [req.rawBody, req.body]) {
    if (candidate instanceof Uint8Array || typeof candidate === 'string') return candidate;
  }
  return undefined;
};

/**
 * Express middleware answering GET (handshake) and POST (events) on its mount path.
 * Mount it before `express.json()`, or use `express.raw({ type: 'application/json' })`:
 * the signature covers the raw bytes.
 * @example
 * app.all('/webhook', expressWebhook(bot, { appSecret, verifyToken }));
 */
export function expressWebhook(
  bot: Bot,
  options: WebhookHandlerOptions,
): (req: ExpressRequestLike, res: NodeResponseLike) => void {
  return (req, res) => {
    const raw = rawBodyOf(req);
    const consumed = raw === undefined && (req.readableEnded === true || req.body !== undefined);
    if (consumed && req.method?.toUpperCase() === 'POST') {
      (options.onError ?? console.error)(
        new Error(
          'expressWebhook: the body was parsed before the webhook; mount it before express.json() or use express.raw()',
        ),
      );
      writeNodeResponse(res, { status: 500, headers: {}, body: 'Internal Server Error' });
      return;
    }
    runNodeRequest(bot, options, req, raw).then(
      (response) => writeNodeResponse(res, response),
      (error: unknown) => {
        (options.onError ?? console.error)(error);
        writeNodeResponse(res, { status: 500, headers: {}, body: 'Internal Server Error' });
      },
    );
  };
}

/**
 * Headers for the web app's HTML. The CSP forbids inline script and style, so an injected
 * `<script>` or `style=""` in a business's message can never run or restyle the page, and
 * it lets the page load images and open connections on the hub's own origin only: a
 * business's images come through the hub's image proxy (features/media), so no tracking
 * pixel can reach the customer's browser.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';

const CSP_DIRECTIVES = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self'",
  "script-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
];

/** The Content-Security-Policy of every HTML page the web feature serves. */
export const WEB_CSP = CSP_DIRECTIVES.join('; ');

/**
 * The policy for a hub at `publicUrl`: also names the WebSocket origin of the hub itself
 * (`ws(s)://host`), for browsers where `'self'` does not cover WebSockets.
 */
export function webCspFor(publicUrl: string): string {
  const url = new URL(publicUrl);
  const ws = `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}`;
  return WEB_CSP.replace("connect-src 'self'", `connect-src 'self' ${ws}`);
}

/** The same policy, also allowing exactly one inline stylesheet by its SHA-256 (the 503 page). */
export function cspWithStyleHash(css: string): string {
  const hash = createHash('sha256').update(css, 'utf8').digest('base64');
  return WEB_CSP.replace("style-src 'self'", `style-src 'self' 'sha256-${hash}'`);
}

/** Sets the HTML security headers on a reply. */
export function setHtmlSecurityHeaders(reply: FastifyReply, csp: string = WEB_CSP): void {
  void reply.header('content-security-policy', csp);
  void reply.header('x-content-type-options', 'nosniff');
  void reply.header('referrer-policy', 'no-referrer');
  void reply.header('x-frame-options', 'DENY');
}

/**
 * Headers for the web app's HTML. The CSP forbids inline script and style, so an injected
 * `<script>` or `style=""` in a business's message can never run or restyle the page.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';

const CSP_DIRECTIVES = [
  "default-src 'self'",
  "connect-src 'self' ws: wss:",
  "img-src 'self' data: https: http:",
  "style-src 'self'",
  "script-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
];

/** The Content-Security-Policy of every HTML page the web feature serves. */
export const WEB_CSP = CSP_DIRECTIVES.join('; ');

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

/**
 * The hub's own consent screen and error pages: server-rendered, self-contained HTML (no
 * script, no external asset), with a strict Content-Security-Policy whose only
 * allowances are the inline stylesheet (by nonce) and the form's targets.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { Declaration } from '../consent/declarations.js';

export interface ConsentScreenInput {
  pageName: string;
  declared: readonly Declaration[];
  expiresAt: number;
  csrf: string;
  mid: string;
  url: string;
  /** Origin of the business URL: the form's Continue redirects there. */
  businessOrigin: string;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
fieldset{border:1px solid #bbb;border-radius:.5rem;padding:1rem}label{display:block;margin:.5rem 0}
.purpose{display:block;margin-left:1.75rem;color:#444;font-size:.9rem}.actions{display:flex;gap:1rem;margin-top:1.5rem}
button{font:inherit;padding:.5rem 1.25rem;border-radius:.375rem;border:1px solid #555;background:#fff;cursor:pointer}
button[value=continue]{background:#0b57d0;color:#fff;border-color:#0b57d0}button:focus-visible{outline:3px solid #f9ab00;outline-offset:2px}`;

const label = (category: string) => category.replaceAll('_', ' ');
const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Renders the consent screen and sends it with its security headers. */
export function sendConsentScreen(reply: FastifyReply, input: ConsentScreenInput): FastifyReply {
  const nonce = randomBytes(16).toString('base64');
  const name = escapeHtml(input.pageName);
  const boxes =
    input.declared.length === 0
      ? `<p>${name} has not declared any updates it sends. Linking lets it recognise you in this chat only.</p>`
      : input.declared
          .map(
            (
              d,
              i,
            ) => `<label for="c${i}"><input type="checkbox" id="c${i}" name="categories" value="${escapeHtml(d.category)}" aria-describedby="p${i}"> ${escapeHtml(label(d.category))}
<span class="purpose" id="p${i}">${escapeHtml(d.purpose)}</span></label>`,
          )
          .join('\n');
  const body = `<h1>Link your ${name} account</h1>
<p>${name} asks to link your account with it to this chat. You choose which updates it may send you on its own initiative. Confide uses them only to deliver notifications and manage your account: never for advertising, never shared.</p>
<form method="post" action="/link/start">
<input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">
<input type="hidden" name="mid" value="${escapeHtml(input.mid)}">
<input type="hidden" name="url" value="${escapeHtml(input.url)}">
<fieldset><legend>Updates ${name} may send you</legend>
${boxes}
</fieldset>
<p>Your permission lasts until <strong><time datetime="${date(input.expiresAt)}">${date(input.expiresAt)}</time></strong>. You can change or withdraw it any time in Privacy.</p>
<div class="actions"><button type="submit" name="action" value="continue">Continue</button><button type="submit" name="action" value="cancel">Cancel</button></div>
</form>`;
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self' ${input.businessOrigin}; frame-ancestors 'none'; base-uri 'none'`;
  return send(reply, 200, `Link your ${input.pageName} account`, body, nonce, csp);
}

/** A clear error page (expired or reused link, unknown message). */
export function sendErrorPage(reply: FastifyReply, status: number, title: string, message: string): FastifyReply {
  const nonce = randomBytes(16).toString('base64');
  const body = `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>\n<p><a href="/">Back to your chats</a></p>`;
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'`;
  return send(reply, status, title, body, nonce, csp);
}

function send(reply: FastifyReply, status: number, title: string, body: string, nonce: string, csp: string): FastifyReply {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Confide</title><style nonce="${nonce}">${STYLE}</style></head>
<body><main>
${body}
</main></body></html>`;
  return reply
    .status(status)
    .headers({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': csp,
      'cache-control': 'no-store',
      // Not no-referrer: under it browsers send `Origin: null` with the form's POST, which the
      // same-origin check refuses. same-origin still sends no Referer to the business.
      'referrer-policy': 'same-origin',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    })
    .send(html);
}

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
  /** The categories the customer allows now (preselected; unchecking one stops it). */
  current: readonly string[];
}

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** Confide's palette and type, light and dark; touch targets of at least 44 px; usable from 320 px wide. */
export const STYLE = `:root{color-scheme:light dark;--bg:#eef2f8;--card:#fff;--text:#121826;--muted:#566074;--border:#d5dbe6;--primary:#1f4fd8;--on-primary:#fff;--focus:#f9ab00}
@media (prefers-color-scheme:dark){:root{--bg:#0b1019;--card:#131a26;--text:#e8ecf4;--muted:#a2acbf;--border:#2b3548;--primary:#4c7bf0;--on-primary:#fff}}
*{box-sizing:border-box}body{margin:0;min-height:100vh;background:var(--bg);color:var(--text);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:34rem;margin:0 auto;padding:1.5rem 1rem 2.5rem}
.card{background:var(--card);border:1px solid var(--border);border-radius:1rem;padding:1.5rem 1.25rem}
.brand{display:flex;align-items:center;gap:.5rem;font-weight:700;margin:0 0 1rem;color:var(--muted)}
.brand b{display:inline-grid;place-items:center;width:1.75rem;height:1.75rem;border-radius:.5rem;background:var(--primary);color:var(--on-primary);font-size:.9rem}
h1{font-size:1.35rem;line-height:1.3;margin:0 0 .75rem}p{margin:.75rem 0}.muted{color:var(--muted);font-size:.92rem}
fieldset{border:0;margin:1rem 0;padding:0}legend{font-weight:600;margin-bottom:.25rem}
label.choice{display:grid;grid-template-columns:1.5rem 1fr;column-gap:.75rem;align-items:start;min-height:3rem;padding:.75rem .25rem;border-top:1px solid var(--border);cursor:pointer}
label.choice:last-of-type{border-bottom:1px solid var(--border)}
input[type=checkbox]{width:1.5rem;height:1.5rem;margin:.1rem 0 0;accent-color:var(--primary)}
.name{font-weight:600}.purpose{grid-column:2;color:var(--muted);font-size:.92rem}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin-top:1.5rem}
button{flex:1 1 10rem;min-height:2.75rem;font:inherit;font-weight:600;padding:.5rem 1.25rem;border-radius:999px;border:1px solid var(--border);background:var(--card);color:var(--text);cursor:pointer}
button[value=continue]{background:var(--primary);border-color:var(--primary);color:var(--on-primary)}
button:focus-visible,input:focus-visible,a:focus-visible{outline:3px solid var(--focus);outline-offset:2px}a{color:var(--primary)}`;

/** What each category is called on the screen (the privacy center uses the same words). */
export const CATEGORY_NAMES: Readonly<Record<string, string>> = {
  balances: 'Balance updates',
  transactions: 'Transaction notices',
  fraud_alerts: 'Fraud alerts',
  receipts: 'Receipts',
  shipping: 'Shipping updates',
  events: 'Event updates',
};

const label = (category: string) => CATEGORY_NAMES[category] ?? category.replaceAll('_', ' ');
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** "7 December 2027": the screen has no script, so the day is written in words, not in one locale's digits. */
const longDay = (ms: number) =>
  new Date(ms).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

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
            ) => `<label class="choice" for="c${i}"><input type="checkbox" id="c${i}" name="categories" value="${escapeHtml(d.category)}" aria-describedby="p${i}"${
              input.current.includes(d.category) ? ' checked' : ''
            }> <span class="name">${escapeHtml(label(d.category))}</span>
<span class="purpose" id="p${i}">${escapeHtml(d.purpose)}</span></label>`,
          )
          .join('\n');
  const relink =
    input.current.length > 0
      ? `<p class="muted">You already allow ${name} to send you ${escapeHtml(input.current.map((c) => label(c).toLowerCase()).join(', '))}. Those boxes are ticked: untick one to stop it, or leave them as they are.</p>`
      : '';
  const body = `<p class="brand"><b aria-hidden="true">C</b>Confide</p>
<h1>Link your ${name} account</h1>
<p>${name} asks to link your account with it to this chat. You choose which updates it may send you on its own initiative. Confide uses them only to deliver notifications and manage your account: never for advertising, never shared.</p>
${relink}
<form method="post" action="/link/start">
<input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">
<input type="hidden" name="mid" value="${escapeHtml(input.mid)}">
<input type="hidden" name="url" value="${escapeHtml(input.url)}">
<fieldset><legend>Updates ${name} may send you</legend>
${boxes}
</fieldset>
<p class="muted">Your permission lasts until <strong><time datetime="${isoDay(input.expiresAt)}">${longDay(input.expiresAt)}</time></strong>. You can change or withdraw it any time in Privacy.</p>
<div class="actions"><button type="submit" name="action" value="continue">Continue</button><button type="submit" name="action" value="cancel">Cancel</button></div>
</form>`;
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self' ${input.businessOrigin}; frame-ancestors 'none'; base-uri 'none'`;
  return sendHubPage(reply, 200, `Link your ${input.pageName} account`, body, nonce, csp);
}

/** A clear error page (expired or reused link, unknown message). */
export function sendErrorPage(reply: FastifyReply, status: number, title: string, message: string): FastifyReply {
  const nonce = randomBytes(16).toString('base64');
  const body = `<p class="brand"><b aria-hidden="true">C</b>Confide</p>\n<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>\n<p><a href="/">Back to your chats</a></p>`;
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'`;
  return sendHubPage(reply, status, title, body, nonce, csp);
}

/** Sends a hub page (the consent screens' frame) with its security headers; `nonce` is the stylesheet's. */
export function sendHubPage(
  reply: FastifyReply,
  status: number,
  title: string,
  body: string,
  nonce: string,
  csp: string,
): FastifyReply {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Confide</title><style nonce="${nonce}">${STYLE}</style></head>
<body><main><div class="card">
${body}
</div></main></body></html>`;
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

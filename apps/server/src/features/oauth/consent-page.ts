/**
 * The hub's own consent screen for an assistant (same look as the account-linking
 * screen): which businesses, which kinds of update it may read, and whether it may act.
 * Server-rendered, no script; the stylesheet by nonce; the form may post here and, by
 * the redirect that follows, reach the assistant's redirect URI only.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { CATEGORY_NAMES, escapeHtml, sendHubPage } from '../linking/consent-screen.js';

export interface AssistantConsentInput {
  clientName: string;
  /** Host of the redirect URI, shown so the customer can recognise the assistant. */
  redirectHost: string;
  businesses: ReadonlyArray<{ pageId: string; name: string }>;
  categories: readonly string[];
  /** Whether the assistant asked for `act`. */
  asksToAct: boolean;
  /** What the customer allows now (preselected when changing an existing grant). */
  current: { pageIds: readonly string[]; categories: readonly string[]; canAct: boolean } | undefined;
  /** Hidden fields: the authorization request and the CSRF token. */
  hidden: Readonly<Record<string, string>>;
  /** Origin (or app scheme) of the redirect URI, allowed as the form's redirect target. */
  redirectTarget: string;
}

const categoryName = (c: string) => CATEGORY_NAMES[c] ?? c.replaceAll('_', ' ');

export function sendAssistantConsent(reply: FastifyReply, input: AssistantConsentInput): FastifyReply {
  const nonce = randomBytes(16).toString('base64');
  const name = escapeHtml(input.clientName);
  const checked = (on: boolean) => (on ? ' checked' : '');
  const hidden = Object.entries(input.hidden)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('\n');
  const businesses =
    input.businesses.length === 0
      ? '<p>You have no conversations yet. Start a chat with a business first, then connect your assistant.</p>'
      : input.businesses
          .map(
            (b, i) =>
              `<label class="choice" for="b${i}"><input type="checkbox" id="b${i}" name="pages" value="${escapeHtml(b.pageId)}"${checked(
                input.current?.pageIds.includes(b.pageId) ?? false,
              )}> <span class="name">${escapeHtml(b.name)}</span></label>`,
          )
          .join('\n');
  const categories = input.categories
    .map(
      (c, i) =>
        `<label class="choice" for="k${i}"><input type="checkbox" id="k${i}" name="categories" value="${escapeHtml(c)}"${checked(
          input.current?.categories.includes(c) ?? false,
        )}> <span class="name">${escapeHtml(categoryName(c))}</span></label>`,
    )
    .join('\n');
  const act = input.asksToAct
    ? `<fieldset><legend>Acting for you</legend>
<label class="choice" for="act"><input type="checkbox" id="act" name="act" value="yes" aria-describedby="act-why"${checked(input.current?.canAct ?? false)}> <span class="name">Let ${name} act for me</span>
<span class="purpose" id="act-why">Answer fraud alerts and use the actions a business offers (such as locking a card), never free-form requests.</span></label>
</fieldset>`
    : '';
  const body = `<p class="brand"><b aria-hidden="true">C</b>Confide</p>
<h1>Connect ${name}</h1>
<p>${name} <span class="muted">(${escapeHtml(input.redirectHost)})</span> asks to read your conversations for you and to ask your businesses questions in your name. Choose what it may see. Confide keeps nothing it reads for it beyond your normal conversation, and every read is in your access log.</p>
<form method="post" action="/oauth/authorize">
${hidden}
<fieldset><legend>Businesses it may talk to</legend>
${businesses}
</fieldset>
<fieldset><legend>Updates it may read</legend>
${categories}
</fieldset>
${act}
<p class="muted">Your permission lasts one year. You can change or remove this assistant any time in Privacy; removing it stops it on its next request.</p>
<div class="actions"><button type="submit" name="action" value="continue">Allow</button><button type="submit" name="action" value="cancel">Cancel</button></div>
</form>`;
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self' ${input.redirectTarget}; frame-ancestors 'none'; base-uri 'none'`;
  return sendHubPage(reply, 200, `Connect ${input.clientName}`, body, nonce, csp);
}

/** A page asking the customer to log in first, with a link back to the same request. */
export function sendLoginFirst(reply: FastifyReply, retryUrl: string): FastifyReply {
  const nonce = randomBytes(16).toString('base64');
  const body = `<p class="brand"><b aria-hidden="true">C</b>Confide</p>
<h1>Log in to connect your assistant</h1>
<p>Log in to Confide in this browser, then come back to this page.</p>
<div class="actions"><a href="/">Log in to Confide</a> <a href="${escapeHtml(retryUrl)}">I have logged in, continue</a></div>`;
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'`;
  return sendHubPage(reply, 401, 'Log in to continue', body, nonce, csp);
}

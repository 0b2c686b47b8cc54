/**
 * Test helpers for the customer's assistants: register a client, drive the hub's consent
 * screen over HTTP (GET the form, POST the customer's choice), exchange the code.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Hub } from '../src/hub.js';

export const REDIRECT = 'http://127.0.0.1:8976/callback';

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export async function registerClient(hub: Hub, redirectUris = [REDIRECT]): Promise<string> {
  const res = await hub.app.inject({
    method: 'POST',
    url: '/oauth/register',
    payload: { redirect_uris: redirectUris, client_name: 'Test Assistant' },
  });
  if (res.statusCode !== 201) throw new Error(`register: ${res.statusCode} ${res.body}`);
  return res.json().client_id;
}

/** The hidden fields of the consent form. */
export function hiddenFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    out[m[1]!] = m[2]!
      .replaceAll('&amp;', '&')
      .replaceAll('&quot;', '"')
      .replaceAll('&#39;', "'")
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>');
  }
  return out;
}

export interface Choice {
  pages: string[];
  categories: string[];
  act?: boolean;
}

/** GET the consent screen and POST the choice; returns the redirect location. */
export async function consent(
  hub: Hub,
  cookie: string,
  authorizeQuery: Record<string, string>,
  choice: Choice,
  action = 'continue',
): Promise<string> {
  const url = `/oauth/authorize?${new URLSearchParams(authorizeQuery).toString()}`;
  const page = await hub.app.inject({ method: 'GET', url, headers: { cookie } });
  if (page.statusCode !== 200) throw new Error(`consent page: ${page.statusCode} ${page.body.slice(0, 300)}`);
  const form = new URLSearchParams(hiddenFields(page.body));
  form.set('action', action);
  for (const p of choice.pages) form.append('pages', p);
  for (const c of choice.categories) form.append('categories', c);
  if (choice.act) form.set('act', 'yes');
  const res = await hub.app.inject({
    method: 'POST',
    url: '/oauth/authorize',
    headers: { cookie, origin: hub.ctx.config.publicUrl, 'content-type': 'application/x-www-form-urlencoded' },
    payload: form.toString(),
  });
  if (res.statusCode !== 303) throw new Error(`consent post: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return String(res.headers.location);
}

/** The whole flow: register, consent, exchange. */
export async function connectAssistant(hub: Hub, cookie: string, choice: Choice, scope = 'read act') {
  const clientId = await registerClient(hub);
  const { verifier, challenge } = pkce();
  const location = await consent(
    hub,
    cookie,
    {
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 's1',
      scope,
      resource: `${hub.ctx.config.publicUrl}/mcp`,
    },
    choice,
  );
  const code = new URL(location).searchParams.get('code') ?? '';
  const token = await hub.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: clientId,
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    }).toString(),
  });
  if (token.statusCode !== 200) throw new Error(`token: ${token.statusCode} ${token.body}`);
  return {
    clientId,
    code,
    verifier,
    tokens: token.json() as { access_token: string; refresh_token: string; scope: string; expires_in: number },
  };
}

/**
 * A fake Platform API as a `fetch` implementation: records every request the sandbox
 * makes through the SDK and answers like a hub would, with a switch for consent refusals.
 */
import { createHmac } from 'node:crypto';

export interface CapturedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: any;
}

export interface FakeHub {
  fetch: typeof fetch;
  requests: CapturedRequest[];
  /** Requests to `/me/messages`. */
  sends(): CapturedRequest[];
  /** Categories the customer has NOT allowed: proactive sends in them get 10/1400001. */
  refuse: Set<string>;
  /** account_linking_token → PSID. */
  linkingTokens: Map<string, string>;
}

export function fakeHub(): FakeHub {
  const requests: CapturedRequest[] = [];
  const refuse = new Set<string>();
  const linkingTokens = new Map<string, string>();
  let mid = 0;
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const impl = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const path = url.pathname.replace(/^\/v[\d.]+/, '');
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    requests.push({ method: init?.method ?? 'GET', path, query: Object.fromEntries(url.searchParams), body });
    if (path === '/me/messages') {
      if (body.messaging_type === 'MESSAGE_TAG' && refuse.has(body.notification_category)) {
        return json(400, {
          error: {
            message: 'The customer has not allowed this category of update from this business.',
            type: 'OAuthException',
            code: 10,
            error_subcode: 1400001,
            fbtrace_id: 'Afake',
          },
        });
      }
      return json(200, { recipient_id: body.recipient.id, message_id: `m_${++mid}` });
    }
    if (path === '/me' && url.searchParams.has('account_linking_token')) {
      const psid = linkingTokens.get(url.searchParams.get('account_linking_token') ?? '');
      if (psid === undefined)
        return json(400, {
          error: { message: 'Invalid account_linking_token', type: 'OAuthException', code: 10303, fbtrace_id: 'Afake' },
        });
      return json(200, { id: 'PAGE_1', recipient: psid });
    }
    if (path.endsWith('_thread_control')) return json(200, { success: true });
    if (path === '/me/messenger_profile') return json(200, { result: 'success' });
    if (path === '/me/consent_requests') return json(200, { request_id: `cr_${++mid}`, message_id: `m_${mid}` });
    return json(404, {
      error: { message: `No fake for ${path}`, type: 'GraphMethodException', code: 100, fbtrace_id: 'Afake' },
    });
  };
  return {
    fetch: impl as typeof fetch,
    requests,
    sends: () => requests.filter((r) => r.path === '/me/messages'),
    refuse,
    linkingTokens,
  };
}

export const PAGE_ID = 'PAGE_1';
export const APP_SECRET = 'test-app-secret-123';
export const VERIFY_TOKEN = 'test-verify-token';

/** A signed webhook POST for Fastify's inject. */
export function signedWebhook(messaging: object[]): {
  method: 'POST';
  url: string;
  headers: Record<string, string>;
  payload: string;
} {
  const payload = JSON.stringify({ object: 'page', entry: [{ id: PAGE_ID, time: Date.now(), messaging }] });
  const signature = `sha256=${createHmac('sha256', APP_SECRET).update(payload).digest('hex')}`;
  return {
    method: 'POST',
    url: '/webhook',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
    payload,
  };
}

let seq = 0;
const base = (psid: string) => ({ sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: Date.now() });
export const textEvent = (psid: string, text: string) => ({ ...base(psid), message: { mid: `in_${++seq}`, text } });
export const quickReplyEvent = (psid: string, title: string, payload: string) => ({
  ...base(psid),
  message: { mid: `in_${++seq}`, text: title, quick_reply: { payload } },
});
export const postbackEvent = (psid: string, title: string, payload: string) => ({
  ...base(psid),
  postback: { mid: `in_${++seq}`, title, payload },
});
export const linkedEvent = (
  psid: string,
  code: string,
  categories: string[] = ['balances', 'transactions', 'fraud_alerts'],
) => ({
  ...base(psid),
  account_linking: {
    status: 'linked',
    authorization_code: code,
    consent: { categories, expires_at: Date.now() + 86_400_000 },
  },
});

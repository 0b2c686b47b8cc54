/**
 * The customer's side of the e2e flows: log in at the hub, open the bank conversation,
 * read messages, and link the bank account through the hub's consent screen and the
 * bank's own log-in page (HTTP redirects driven with fetch and a cookie).
 */
import { expect } from 'vitest';
import { Browser, eventually, type World } from './helpers.js';

/** A message as the customer API returns it. */
export interface Msg {
  mid: string;
  direction: 'in' | 'out';
  created_at: number;
  tag?: string | null;
  notification_category?: string | null;
  awaits_answer?: boolean;
  answered_postback?: { title: string; payload: string; answered_at: number } | null;
  body: {
    text?: string;
    quick_replies?: { title?: string; payload?: string }[];
    attachment?: { type: string; payload: Record<string, any> };
    postback?: { title: string; payload: string };
  };
}

export async function logIn(
  w: World,
  username: string,
  password: string,
): Promise<{ browser: Browser; conversationId: string }> {
  const browser = new Browser(w.hubUrl);
  await browser.api('/api/login', { method: 'POST', json: { username, password } });
  const conversation = await browser.api<{ id: string }>('/api/conversations', {
    method: 'POST',
    json: { page_id: w.page.pageId },
  });
  return { browser, conversationId: conversation.id };
}

/** Newest first, as the API pages them. */
export const messages = async (browser: Browser, conversationId: string): Promise<Msg[]> =>
  (await browser.api<{ data: Msg[] }>(`/api/conversations/${conversationId}/messages?limit=200`)).data;

/** The whole linking dance, as a browser would do it. @returns the bank customer's PSID. */
export async function linkBankAccount(
  w: World,
  browser: Browser,
  conversationId: string,
  bankLogin: [string, string],
  categories: string[],
): Promise<string> {
  await browser.api(`/api/conversations/${conversationId}/messages`, {
    method: 'POST',
    json: { text: 'link my account' },
  });
  const button = await eventually(
    async () =>
      (await messages(browser, conversationId)).find(
        (m) => m.direction === 'out' && m.body.attachment?.payload['buttons']?.[0]?.type === 'account_link',
      ),
    'the bank’s Log In button',
  );
  const linkUrl: string = button.body.attachment?.payload['buttons'][0].url;
  expect(linkUrl).toBe(`${w.bankUrl}/link`);

  // The hub's consent screen, then Continue with the chosen categories.
  const consent = await browser.request(
    `${w.hubUrl}/link/start?mid=${encodeURIComponent(button.mid)}&url=${encodeURIComponent(linkUrl)}`,
  );
  expect(consent.status).toBe(200);
  const csrf = /name="csrf" value="([^"]+)"/.exec(await consent.text())?.[1] ?? '';
  const toBank = await browser.request(`${w.hubUrl}/link/start`, {
    form: { mid: button.mid, url: linkUrl, csrf, action: 'continue', categories },
  });
  expect(toBank.status).toBe(303);
  const bankLoginUrl = new URL(toBank.headers.get('location') ?? '');
  expect(`${bankLoginUrl.origin}${bankLoginUrl.pathname}`).toBe(`${w.bankUrl}/link`);

  // The bank's own log-in page, with the bank's credentials.
  expect((await browser.request(bankLoginUrl.href)).status).toBe(200);
  const token = bankLoginUrl.searchParams.get('account_linking_token') ?? '';
  const redirectUri = bankLoginUrl.searchParams.get('redirect_uri') ?? '';
  const back = await browser.request(`${w.bankUrl}/link`, {
    form: {
      account_linking_token: token,
      redirect_uri: redirectUri,
      username: bankLogin[0],
      password: bankLogin[1],
      action: 'login',
    },
  });
  expect(back.status).toBe(303);
  const callback = back.headers.get('location') ?? '';
  expect(callback.startsWith(`${redirectUri}&authorization_code=`)).toBe(true);

  // Back at the hub: it delivers account_linking to the bank synchronously and needs a 2xx.
  const done = await browser.request(callback);
  expect(done.status).toBe(303);
  expect(done.headers.get('location')).toContain('linked=1');
  const link = await w.bank.db.selectFrom('links').selectAll().orderBy('linked_at', 'desc').executeTakeFirstOrThrow();
  expect(JSON.parse(link.consent_categories ?? '[]')).toEqual(categories);
  return link.psid;
}

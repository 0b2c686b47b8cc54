/**
 * The sandbox bank against a real hub on loopback: account linking through the hub's
 * consent screen and the bank's own log-in page (HTTP redirects driven with fetch and a
 * cookie), a simulated fraudulent purchase raising an alert in the customer's
 * conversation, the "No, not me" answer locking the card and passing the thread to the
 * inbox, and the hub refusing the same alert when the customer did not allow fraud_alerts.
 */
import { PAGE_INBOX_APP_ID } from '@confide/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findPanLike } from '../../apps/sandbox-bank/src/common/pan.js';
import { Browser, eventually, startWorld, type World } from './helpers.js';

interface Msg {
  mid: string;
  direction: 'in' | 'out';
  created_at: number;
  tag?: string | null;
  body: { text?: string; quick_replies?: { title?: string; payload?: string }[]; attachment?: { type: string; payload: Record<string, any> } };
}

let w: World;
beforeEach(async () => {
  w = await startWorld();
});
afterEach(() => w.close());

async function logIn(username: string, password: string): Promise<{ browser: Browser; conversationId: string }> {
  const browser = new Browser(w.hubUrl);
  await browser.api('/api/login', { method: 'POST', json: { username, password } });
  const conversation = await browser.api<{ id: string }>('/api/conversations', { method: 'POST', json: { page_id: w.page.pageId } });
  return { browser, conversationId: conversation.id };
}

const messages = async (browser: Browser, conversationId: string): Promise<Msg[]> =>
  (await browser.api<{ data: Msg[] }>(`/api/conversations/${conversationId}/messages?limit=200`)).data;

/** The whole linking dance, as a browser would do it. @returns the bank customer's PSID. */
async function linkBankAccount(browser: Browser, conversationId: string, bankLogin: [string, string], categories: string[]): Promise<string> {
  await browser.api(`/api/conversations/${conversationId}/messages`, { method: 'POST', json: { text: 'link my account' } });
  const button = await eventually(
    async () =>
      (await messages(browser, conversationId)).find((m) => m.direction === 'out' && m.body.attachment?.payload['buttons']?.[0]?.type === 'account_link'),
    'the bank’s Log In button',
  );
  const linkUrl: string = button.body.attachment?.payload['buttons'][0].url;
  expect(linkUrl).toBe(`${w.bankUrl}/link`);

  // The hub's consent screen, then Continue with the chosen categories.
  const consent = await browser.request(`${w.hubUrl}/link/start?mid=${encodeURIComponent(button.mid)}&url=${encodeURIComponent(linkUrl)}`);
  expect(consent.status).toBe(200);
  const csrf = /name="csrf" value="([^"]+)"/.exec(await consent.text())?.[1] ?? '';
  const toBank = await browser.request(`${w.hubUrl}/link/start`, { form: { mid: button.mid, url: linkUrl, csrf, action: 'continue', categories } });
  expect(toBank.status).toBe(303);
  const bankLoginUrl = new URL(toBank.headers.get('location') ?? '');
  expect(`${bankLoginUrl.origin}${bankLoginUrl.pathname}`).toBe(`${w.bankUrl}/link`);

  // The bank's own log-in page, with the bank's credentials.
  expect((await browser.request(bankLoginUrl.href)).status).toBe(200);
  const token = bankLoginUrl.searchParams.get('account_linking_token') ?? '';
  const redirectUri = bankLoginUrl.searchParams.get('redirect_uri') ?? '';
  const back = await browser.request(`${w.bankUrl}/link`, {
    form: { account_linking_token: token, redirect_uri: redirectUri, username: bankLogin[0], password: bankLogin[1], action: 'login' },
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

describe('sandbox bank against a real hub', () => {
  it('alice links, gets a fraud alert within a second of the purchase, answers "No, not me": card locked, thread passed to the inbox', async () => {
    const { browser, conversationId } = await logIn('alice', 'alice-demo-password');
    const psid = await linkBankAccount(browser, conversationId, ['alice', 'alice-bank-pass'], ['balances', 'transactions', 'fraud_alerts']);
    expect(await w.bank.links.customerOf(psid)).toBe('cus_alice');
    await eventually(
      async () => (await messages(browser, conversationId)).find((m) => m.body.text?.startsWith('Hi Alice, your Sandbox Bank account is linked')),
      'the greeting',
    );

    const { txn, alert } = await w.bank.simulator.stage('amount_anomaly', 'cus_alice', 'card_alice_debit');
    expect(alert?.status).toBe('open');
    const alertMessage = await eventually(
      async () => (await messages(browser, conversationId)).find((m) => m.direction === 'out' && m.body.text?.includes('Was this you?')),
      'the fraud alert in alice’s conversation',
    );
    expect(alertMessage.tag).toBe('ACCOUNT_UPDATE');
    expect(alertMessage.body.text).toContain('Card: •••• 4821');
    expect(alertMessage.body.text).toContain('MegaTech Electronics');
    expect(alertMessage.body.quick_replies?.map((q) => q.title)).toEqual(['Yes, it was me', 'No, not me', 'Lock card']);
    // Latency from the purchase to the message stored in her conversation, from their own timestamps.
    expect(alertMessage.created_at - txn.occurred_at).toBeGreaterThanOrEqual(0);
    expect(alertMessage.created_at - txn.occurred_at).toBeLessThan(1_000);

    const no = alertMessage.body.quick_replies?.find((q) => q.title === 'No, not me');
    await browser.api(`/api/conversations/${conversationId}/messages`, {
      method: 'POST',
      json: { quick_reply: { payload: no?.payload ?? '', title: 'No, not me' } },
    });
    const card = await eventually(async () => {
      const c = await w.bank.ledger.card('card_alice_debit');
      return c?.status === 'locked' ? c : undefined;
    }, 'the card lock at the bank');
    expect(card.lock_reason).toBe('fraud_reported');
    await eventually(
      async () => (await messages(browser, conversationId)).find((m) => m.body.text?.includes("We've locked card •••• 4821")),
      'the lock confirmation',
    );
    expect(await eventually(() => w.bank.platform.handover.getThreadOwner(psid), 'a thread owner')).toBe(String(PAGE_INBOX_APP_ID));

    // Nothing alice saw, and nothing the bank stored, looks like a card number.
    const seen = (await messages(browser, conversationId)).map((m) => JSON.stringify(m.body));
    expect(seen.flatMap(findPanLike)).toEqual([]);
  });

  it('bob did not allow fraud_alerts: the hub refuses the alert and the bank records the refusal', async () => {
    const { browser, conversationId } = await logIn('bob', 'bob-demo-password');
    const psid = await linkBankAccount(browser, conversationId, ['bob', 'bob-bank-pass'], ['balances']);
    const { alert } = await w.bank.simulator.stage('amount_anomaly', 'cus_bob', 'card_bob_debit');
    expect(alert?.status).toBe('undelivered');
    const refusals = await w.bank.db.selectFrom('refusals').selectAll().execute();
    expect(refusals).toEqual([
      expect.objectContaining({ psid, tag: 'ACCOUNT_UPDATE', category: 'fraud_alerts', code: 10, subcode: 1400001, context: `fraud_alert:${alert?.id}` }),
    ]);
    const texts = (await messages(browser, conversationId)).map((m) => m.body.text ?? '');
    expect(texts.some((t) => t.includes('Was this you?'))).toBe(false);
    expect((await w.bank.ledger.card('card_bob_debit'))?.status).toBe('active');
  });
});

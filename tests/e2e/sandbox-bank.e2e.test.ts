/**
 * The sandbox bank against a real hub on loopback: account linking through the hub's
 * consent screen and the bank's own log-in page (HTTP redirects driven with fetch and a
 * cookie), a simulated fraudulent purchase raising an alert in the customer's
 * conversation, the "No, not me" answer confirming the lock and passing the thread to the
 * inbox, and the hub refusing the same alert when the customer did not allow fraud_alerts.
 */
import { PAGE_INBOX_APP_ID } from '@confide/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findPanLike } from '../../apps/sandbox-bank/src/common/pan.js';
import { linkBankAccount as linkAt, logIn as logInAt, messages } from './chat-helpers.js';
import { eventually, startWorld, type Browser, type World } from './helpers.js';

let w: World;
beforeEach(async () => {
  w = await startWorld();
});
afterEach(() => w.close());

const logIn = (username: string, password: string) => logInAt(w, username, password);
const linkBankAccount = (browser: Browser, conversationId: string, bankLogin: [string, string], categories: string[]) =>
  linkAt(w, browser, conversationId, bankLogin, categories);

describe('sandbox bank against a real hub', () => {
  it('alice links, gets a fraud alert within a second of the purchase, answers "No, not me": card locked, thread passed to the inbox', async () => {
    const { browser, conversationId } = await logIn('alice', 'alice-demo-password');
    const psid = await linkBankAccount(
      browser,
      conversationId,
      ['alice', 'alice-bank-pass'],
      ['balances', 'transactions', 'fraud_alerts'],
    );
    expect(await w.bank.links.customerOf(psid)).toBe('cus_alice');
    await eventually(
      async () =>
        (await messages(browser, conversationId)).find((m) =>
          m.body.text?.startsWith('Hi Alice, your Sandbox Bank account is linked'),
        ),
      'the greeting',
    );

    const { txn, alert } = await w.bank.simulator.stage('amount_anomaly', 'cus_alice', 'card_alice_debit');
    expect(alert?.status).toBe('open');
    const alertMessage = await eventually(
      async () =>
        (await messages(browser, conversationId)).find(
          (m) => m.direction === 'out' && m.body.attachment?.payload['text']?.includes('Was this you?'),
        ),
      'the fraud alert in alice’s conversation',
    );
    // A utility message (the bank's approved sandbox_fraud_check template), not a tagged send.
    expect(alertMessage.tag ?? null).toBeNull();
    expect(alertMessage.body.attachment?.payload).toMatchObject({
      template_type: 'utility',
      name: 'sandbox_fraud_check',
      header: `Security check ${alert?.ref}`,
    });
    const text: string = alertMessage.body.attachment?.payload['text'];
    expect(text).toContain('Card: •••• 4821');
    expect(text).toContain('MegaTech Electronics');
    const buttons: { title: string; payload: string }[] = alertMessage.body.attachment?.payload['buttons'];
    expect(buttons.map((b) => b.title)).toEqual(['Yes, it was me', 'No, not me']);
    // Latency from the purchase to the message stored in her conversation, from their own timestamps.
    expect(alertMessage.created_at - txn.occurred_at).toBeGreaterThanOrEqual(0);
    expect(alertMessage.created_at - txn.occurred_at).toBeLessThan(1_000);

    const no = buttons.find((b) => b.title === 'No, not me');
    await browser.api(`/api/conversations/${conversationId}/messages`, {
      method: 'POST',
      json: { postback: { payload: no?.payload ?? '', title: 'No, not me', message_mid: alertMessage.mid } },
    });
    const card = await eventually(async () => {
      const c = await w.bank.ledger.card('card_alice_debit');
      return c?.lock_reason === 'fraud_confirmed' ? c : undefined;
    }, 'the card lock at the bank');
    expect(card.status).toBe('locked');
    await eventually(
      async () =>
        (await messages(browser, conversationId)).find((m) => m.body.text?.includes('card •••• 4821 stays blocked')),
      'the lock confirmation',
    );
    expect(await eventually(() => w.bank.platform.handover.getThreadOwner(psid), 'a thread owner')).toBe(
      String(PAGE_INBOX_APP_ID),
    );

    // Nothing alice saw, and nothing the bank stored, looks like a card number.
    const seen = (await messages(browser, conversationId)).map((m) => JSON.stringify(m.body));
    expect(seen.flatMap(findPanLike)).toEqual([]);
  });

  it('bob did not allow fraud_alerts: the hub refuses the alert and the bank records the refusal', async () => {
    const { browser, conversationId } = await logIn('bob', 'bob-demo-password');
    const psid = await linkBankAccount(browser, conversationId, ['bob', 'bob-bank-pass'], ['balances']);
    const { alert } = await w.bank.simulator.stage('amount_anomaly', 'cus_bob', 'card_bob_debit');
    expect(alert).toMatchObject({ status: 'open', contacts: 0 });
    const refusals = await w.bank.db.selectFrom('refusals').selectAll().execute();
    expect(refusals).toEqual([
      expect.objectContaining({
        psid,
        tag: 'UTILITY',
        template: 'sandbox_fraud_check',
        category: 'fraud_alerts',
        code: 10,
        subcode: 1400001,
        context: `fraud_alert:${alert?.ref}`,
      }),
    ]);
    const texts = (await messages(browser, conversationId)).map((m) => m.body.text ?? '');
    expect(texts.some((t) => t.includes('Was this you?'))).toBe(false);
    // The payment is still held and the card blocked: the case waits for its deadline (a real bank would try SMS).
    expect(await w.bank.ledger.card('card_bob_debit')).toMatchObject({ status: 'locked', lock_reason: 'fraud_review' });
  });
});

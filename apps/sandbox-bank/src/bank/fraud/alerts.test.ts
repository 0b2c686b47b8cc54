import { PAGE_INBOX_APP_ID } from '@confide/sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bankHarness, type Harness } from '../../../test/bank-harness.js';
import { postbackEvent, quickReplyEvent, textEvent } from '../../../test/fake-hub.js';

const ALICE = 'psid-alice';
let h: Harness;
beforeEach(async () => {
  h = await bankHarness({ BANK_REPLY_TIMEOUT_MS: '60000' });
  await h.link(ALICE, 'cus_alice');
});
afterEach(() => h.bank.close());

const alertSend = () => h.hub.sends().find((r) => r.body.notification_category === 'fraud_alerts');

describe('fraud alerts in chat', () => {
  it('sends an ACCOUNT_UPDATE fraud alert with merchant, amount, masked card, time and three answers', async () => {
    const result = await h.bank.simulator.stage('amount_anomaly', 'cus_alice', 'card_alice_debit');
    expect(result.hits.map((x) => x.id)).toEqual(['amount_anomaly']);
    const send = alertSend();
    expect(send?.body).toMatchObject({ recipient: { id: ALICE }, messaging_type: 'MESSAGE_TAG', tag: 'ACCOUNT_UPDATE', notification_category: 'fraud_alerts' });
    const text: string = send?.body.message.text;
    expect(text).toContain('MegaTech Electronics (DE)');
    expect(text).toContain('Card: •••• 4821');
    expect(text).toContain('Time: 12:00 UTC, 23 Nov 2026');
    expect(text).toMatch(/Purchase: €\d{3},?\d*\.\d{2}/);
    expect(text).toContain('far above this card');
    expect(text).toMatch(/Was this you\?$/);
    expect(text).not.toMatch(/https?:\/\//);
    expect(send?.body.message.quick_replies.map((q: { title: string }) => q.title)).toEqual(['Yes, it was me', 'No, not me', 'Lock card']);
    expect(result.alert?.status).toBe('open');
  });

  it('"No, not me" locks the card, confirms in chat, then passes the thread to the inbox', async () => {
    const { alert } = await h.bank.simulator.stage('new_country', 'cus_alice', 'card_alice_debit');
    await h.deliver(quickReplyEvent(ALICE, 'No, not me', `FRAUD:no:${alert!.id}`));
    const card = await h.bank.ledger.card('card_alice_debit');
    expect(card).toMatchObject({ status: 'locked', lock_reason: 'fraud_reported' });
    const [confirm, handover] = h.hub.requests.slice(-2);
    expect(confirm?.body.message.text).toContain("We've locked card •••• 4821");
    expect(handover?.path).toBe('/me/pass_thread_control');
    expect(handover?.body.target_app_id).toBe(PAGE_INBOX_APP_ID);
    expect((await h.bank.db.selectFrom('alerts').select('status').where('id', '=', alert!.id).executeTakeFirst())?.status).toBe('fraud_reported');
  });

  // The hub delivers at least once: a retried or re-sent webhook must not answer twice.
  const redelivered = [
    ['quick reply', quickReplyEvent],
    ['postback', postbackEvent],
  ] as const;
  for (const [kind, event] of redelivered) {
    it(`a redelivered "No, not me" ${kind} locks the card once and hands over once`, async () => {
      const { alert } = await h.bank.simulator.stage('new_country', 'cus_alice', 'card_alice_debit');
      const lockCard = vi.spyOn(h.bank.ledger, 'lockCard');
      const before = h.hub.requests.length;
      const answer = event(ALICE, 'No, not me', `FRAUD:no:${alert!.id}`);
      // Two copies at once (a retry after a timeout), then a third later (after a hub crash).
      expect(await Promise.all([h.deliver(answer), h.deliver(answer)])).toEqual([200, 200]);
      expect(await h.deliver(answer)).toBe(200);
      expect(lockCard).toHaveBeenCalledOnce();
      expect(lockCard).toHaveBeenCalledWith('card_alice_debit', 'fraud_reported', h.clock.now);
      const requests = h.hub.requests.slice(before).map((r) => r.path);
      expect(requests).toEqual(['/me/messages', '/me/pass_thread_control']);
      expect(h.hub.sends().at(-1)?.body.message.text).toContain("We've locked card •••• 4821");
    });
  }

  it('"Yes, it was me" keeps the card active; a typed "yes" answers the latest alert', async () => {
    await h.bank.simulator.stage('risky_merchant', 'cus_alice', 'card_alice_credit');
    await h.deliver(textEvent(ALICE, 'yes'));
    expect((await h.bank.ledger.card('card_alice_credit'))?.status).toBe('active');
    expect(h.hub.sends().at(-1)?.body.message.text).toContain('as genuine. Card •••• 7315 stays active.');
  });

  it('"Lock card" locks without a handover', async () => {
    const { alert } = await h.bank.simulator.stage('compromised_terminal', 'cus_alice', 'card_alice_debit');
    await h.deliver(quickReplyEvent(ALICE, 'Lock card', `FRAUD:lock:${alert!.id}`));
    expect((await h.bank.ledger.card('card_alice_debit'))?.lock_reason).toBe('customer');
    expect(h.hub.requests.some((r) => r.path === '/me/pass_thread_control')).toBe(false);
  });

  it('soft-locks the card when nobody answers in time, says so, and unlocks on a late "yes"', async () => {
    const { alert } = await h.bank.simulator.stage('amount_anomaly', 'cus_alice', 'card_alice_debit');
    h.clock.now += 59_000;
    expect(await h.bank.alerts.sweep()).toBe(0);
    h.clock.now += 1_000;
    expect(await h.bank.alerts.sweep()).toBe(1);
    expect(await h.bank.ledger.card('card_alice_debit')).toMatchObject({ status: 'locked', lock_reason: 'no_reply' });
    const notice = h.hub.sends().at(-1)?.body;
    expect(notice).toMatchObject({ tag: 'ACCOUNT_UPDATE', notification_category: 'fraud_alerts' });
    expect(notice.message.text).toContain('card •••• 4821 is temporarily locked');
    await h.deliver(quickReplyEvent(ALICE, 'Yes, it was me', `FRAUD:yes:${alert!.id}`));
    expect((await h.bank.ledger.card('card_alice_debit'))?.status).toBe('active');
  });

  it('declines purchases on a locked card and raises no alert', async () => {
    await h.bank.ledger.lockCard('card_alice_debit', 'customer', h.clock.now);
    const result = await h.bank.simulator.stage('amount_anomaly', 'cus_alice', 'card_alice_debit');
    expect(result.txn.status).toBe('rejected');
    expect(result.alert).toBeUndefined();
    expect(h.hub.sends().at(-1)?.body.message.text).toMatch(/^Declined: .* because the card is locked\.$/);
  });

  it('records a refused alert in refusals and does not retry it', async () => {
    h.hub.refuse.add('fraud_alerts');
    const before = h.hub.sends().length;
    const { alert } = await h.bank.simulator.stage('amount_anomaly', 'cus_alice', 'card_alice_debit');
    expect(h.hub.sends().length - before).toBe(1);
    expect(alert?.status).toBe('undelivered');
    const refusals = await h.bank.db.selectFrom('refusals').selectAll().execute();
    expect(refusals).toEqual([
      expect.objectContaining({
        psid: ALICE,
        tag: 'ACCOUNT_UPDATE',
        category: 'fraud_alerts',
        code: 10,
        subcode: 1400001,
        context: `fraud_alert:${alert!.id}`,
      }),
    ]);
    expect(refusals[0]?.reason).toContain('not allowed');
  });

  it('sends transaction updates and a one-off low-balance update under their own categories', async () => {
    await h.bank.ledger.setLowBalanceThreshold('acc_alice_chk', 244_000);
    const result = await h.bank.processor.authorize({
      ref: 'r1',
      cardId: 'card_alice_debit',
      customerId: 'cus_alice',
      amountMinor: 2_000,
      currency: 'EUR',
      merchantName: 'Café Luna',
      mcc: '5814',
      merchantCountry: 'DE',
      terminalId: 'T-CAFELUNA-01',
      cardPresent: true,
      occurredAt: h.clock.now,
      scenario: 'normal',
    });
    expect(result.hits).toEqual([]);
    const categories = h.hub
      .sends()
      .slice(-2)
      .map((r) => r.body.notification_category);
    expect(categories).toEqual(['transactions', 'balances']);
    expect(h.hub.sends().at(-1)?.body.message.text).toContain('down to €2,430.00, below your €2,440.00 alert');
    await h.bank.processor.book(result.txn.id);
    expect(h.hub.sends().filter((r) => r.body.notification_category === 'balances')).toHaveLength(1);
    expect((await h.bank.ledger.account('acc_alice_chk'))?.bookedMinor).toBe(243_000);
  });
});

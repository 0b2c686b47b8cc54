/**
 * Fraud cases against a fake hub: the alert as a utility template (sandbox_fraud_check)
 * with a case reference and MAC'd payloads; open → genuine / fraud / expired with the payment held, booked or
 * declined and the card blocked or unblocked; history; bad answers; reminder and cap.
 */
import { PAGE_INBOX_APP_ID } from '@confide/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bankHarness, type Harness } from '../../../test/bank-harness.js';
import { postbackEvent, textEvent } from '../../../test/fake-hub.js';

const ALICE = 'psid-alice';
const BOB = 'psid-bob';
let h: Harness;
beforeEach(async () => {
  h = await bankHarness({ BANK_REPLY_TIMEOUT_MS: '60000', BANK_REMIND_AFTER_MS: '30000' });
  await h.link(ALICE, 'cus_alice');
  await h.link(BOB, 'cus_bob');
});
afterEach(() => h.bank.close());

const alertSends = () => h.hub.sends().filter((r) => r.body.notification_category === 'fraud_alerts');
const buttonsOf = (send: { body: any } | undefined): { title: string; payload: string }[] =>
  send?.body.message.attachment.payload.buttons ?? [];
const tap = (psid: string, button: { title: string; payload: string } | undefined) =>
  h.deliver(postbackEvent(psid, button?.title ?? '', button?.payload ?? ''));
/** The last message's text: a reply's, or a utility update's filled-in body. */
const lastText = (): string => {
  const message = h.hub.sends().at(-1)?.body.message;
  return message?.text ?? message?.attachment?.payload.text ?? '';
};
const booked = (txnId: string) =>
  h.bank.db
    .selectFrom('transactions')
    .select('id')
    .where('supersedes', '=', txnId)
    .where('status', '=', 'booked')
    .executeTakeFirst();
const status = async (txnId: string) =>
  (await h.bank.db.selectFrom('transactions').select('status').where('id', '=', txnId).executeTakeFirstOrThrow())
    .status;

describe('fraud cases', () => {
  it('opens a case: payment held, card blocked, a utility-template alert with the reference, amount, merchant and masked card', async () => {
    const { txn, alert: fc } = await h.bank.simulator.stage('amount_anomaly', 'cus_alice', 'card_alice_debit');
    expect(fc).toMatchObject({ status: 'open', ref: expect.stringMatching(/^FC-[0-9A-Z]{6}$/), contacts: 1 });
    expect(txn.status).toBe('pending');
    expect(await h.bank.ledger.card('card_alice_debit')).toMatchObject({
      status: 'locked',
      lock_reason: 'fraud_review',
    });
    const send = alertSends()[0];
    expect(send?.body).toMatchObject({ messaging_type: 'UTILITY', notification_category: 'fraud_alerts' });
    expect(send?.raw.message.template).toMatchObject({ name: 'sandbox_fraud_check', language: { code: 'en' } });
    expect(send?.body.message.attachment.payload.header).toBe(`Security check ${fc?.ref}`);
    const text: string = send?.body.message.attachment.payload.text;
    expect(text).toMatch(/Purchase: €[\d,]+\.\d{2} at MegaTech Electronics \(DE\)/);
    expect(text).toContain('Card: •••• 4821');
    expect(text).not.toMatch(/UTC|https?:\/\//);
    expect(text.length).toBeLessThanOrEqual(640);
    expect(buttonsOf(send).map((b) => b.title)).toEqual(['Yes, it was me', 'No, not me']);
    expect(buttonsOf(send)[1]?.payload).toMatch(new RegExp(`^FRAUD:no:${fc?.ref}:[\\w-]{22}$`));
    // The held payment is never booked by the simulator's timer, and the rules never count it.
    expect(await h.bank.processor.book(txn.id)).toBeUndefined();
    expect((await h.bank.ledger.cardHistory('card_alice_debit')).map((x) => x.occurredAt)).not.toContain(
      txn.occurred_at,
    );
    expect(await h.bank.cases.history(fc!.id)).toEqual([
      expect.objectContaining({ from_status: null, to_status: 'open', actor: 'rules:amount_anomaly' }),
      expect.objectContaining({
        from_status: 'open',
        to_status: 'open',
        actor: 'bank',
        note: 'fraud_alert sent in chat',
      }),
    ]);
  });

  it('"No, not me": payment declined and never booked, card stays blocked, replacement ordered, handed to the fraud team', async () => {
    const { txn, alert: fc } = await h.bank.simulator.stage('new_country', 'cus_alice', 'card_alice_debit');
    await tap(ALICE, buttonsOf(alertSends()[0])[1]);
    expect(await status(txn.id)).toBe('rejected');
    expect(await booked(txn.id)).toBeUndefined();
    expect(await h.bank.ledger.card('card_alice_debit')).toMatchObject({
      status: 'locked',
      lock_reason: 'fraud_confirmed',
    });
    expect(await h.bank.db.selectFrom('card_replacements').selectAll().execute()).toEqual([
      expect.objectContaining({ card_id: 'card_alice_debit', case_id: fc?.id }),
    ]);
    const handover = h.hub.requests.at(-1);
    expect(handover).toMatchObject({ path: '/me/pass_thread_control', body: { target_app_id: PAGE_INBOX_APP_ID } });
    expect(JSON.parse(String(handover?.body.metadata))).toMatchObject({
      team: 'Fraud',
      reason: expect.stringContaining(`fraud_case=${fc?.ref}`),
    });
    expect(h.hub.sends().at(-1)?.body.message.text).toContain('A replacement card is on its way');
    const history = await h.bank.cases.history(fc!.id);
    expect(history.map((e) => [e.from_status, e.to_status, e.actor])).toContainEqual([
      'open',
      'fraud',
      `customer:chat:${ALICE}`,
    ]);
    expect(history.map((e) => e.note)).toContain('handed to the fraud team (agent inbox)');
  });

  it('"Yes, it was me": the held payment is booked, the card unblocked, the customer told they can retry', async () => {
    const { txn } = await h.bank.simulator.stage('risky_merchant', 'cus_alice', 'card_alice_credit');
    await tap(ALICE, buttonsOf(alertSends()[0])[0]);
    expect(await booked(txn.id)).toBeDefined();
    expect(await h.bank.ledger.card('card_alice_credit')).toMatchObject({ status: 'active', lock_reason: null });
    expect(lastText()).toContain('you can retry now');
  });

  it('a replayed, forged, foreign or unknown answer changes nothing, gets a clear reply and is logged with the reason', async () => {
    const { txn, alert: fc } = await h.bank.simulator.stage('risky_merchant', 'cus_alice', 'card_alice_credit');
    const [yes, no] = buttonsOf(alertSends()[0]);
    // Bob taps Alice's button (a payload he copied): foreign.
    await tap(BOB, no);
    expect(lastText()).toContain("couldn't find that security check for you");
    // A forged MAC, an unknown reference, a payload without proof.
    await tap(ALICE, { title: 'No, not me', payload: `FRAUD:no:${fc?.ref}:${'A'.repeat(22)}` });
    expect(lastText()).toContain("didn't come from one of our security checks");
    await tap(ALICE, { title: 'No, not me', payload: 'FRAUD:no:FC-ZZZZZZ:xxxxxxxxxxxxxxxxxxxxxx' });
    expect(lastText()).toContain("couldn't find that security check");
    await tap(ALICE, { title: 'No, not me', payload: `FRAUD:no:${fc?.ref}` });
    expect(await h.bank.ledger.card('card_alice_credit')).toMatchObject({ lock_reason: 'fraud_review' });
    // The real answer, then a replay of the other button: answered with the outcome.
    await tap(ALICE, yes);
    await tap(ALICE, no);
    expect(lastText()).toContain(`Security check ${fc?.ref} is already closed: you confirmed`);
    expect(await booked(txn.id)).toBeDefined();
    expect(await h.bank.ledger.card('card_alice_credit')).toMatchObject({ status: 'active' });
    const reasons = (
      await h.bank.db.selectFrom('answer_rejections').select(['reason', 'sender']).orderBy('id').execute()
    ).map((r) => `${r.reason}:${r.sender}`);
    expect(reasons).toEqual([
      `foreign:${BOB}`,
      `forged:${ALICE}`,
      `unknown:${ALICE}`,
      `forged:${ALICE}`,
      `replayed:${ALICE}`,
    ]);
  });

  it('two open cases answered in the opposite order each settle on their own; a typed "yes" with two open asks to use the buttons', async () => {
    const first = await h.bank.simulator.stage('amount_anomaly', 'cus_alice', 'card_alice_debit');
    const second = await h.bank.simulator.stage('risky_merchant', 'cus_alice', 'card_alice_credit');
    const [a, b] = alertSends();
    await h.deliver(textEvent(ALICE, 'yes'));
    expect(lastText()).toContain('2 open security checks');
    await tap(ALICE, buttonsOf(b)[1]); // second: fraud
    await tap(ALICE, buttonsOf(a)[0]); // first: genuine
    expect(await h.bank.db.selectFrom('alerts').select(['id', 'status']).orderBy('created_at').execute()).toEqual([
      { id: first.alert?.id, status: 'genuine' },
      { id: second.alert?.id, status: 'fraud' },
    ]);
    expect(await booked(first.txn.id)).toBeDefined();
    expect(await status(second.txn.id)).toBe('rejected');
  });

  it('no answer: one reminder before the deadline, then expired: payment declined, card soft-locked, customer told how to restore', async () => {
    const { txn, alert: fc } = await h.bank.simulator.stage('amount_anomaly', 'cus_alice', 'card_alice_debit');
    h.clock.now += 30_000;
    expect(await h.bank.cases.sweep()).toBe(0);
    expect(lastText()).toContain(`Reminder about security check ${fc?.ref}`);
    h.clock.now += 29_000;
    await h.bank.cases.sweep();
    expect(alertSends()).toHaveLength(2);
    h.clock.now += 1_000;
    expect(await h.bank.cases.sweep()).toBe(1);
    expect(await status(txn.id)).toBe('rejected');
    expect(await h.bank.ledger.card('card_alice_debit')).toMatchObject({
      status: 'locked',
      lock_reason: 'fraud_expired',
    });
    expect(lastText()).toContain('say "unlock card" and confirm at the Sandbox Bank log-in page');
    expect(alertSends()).toHaveLength(3);
    // The expiry notice replies to the alert, which closes its question in the customer's app.
    expect(h.hub.sends().at(-1)?.body.reply_to).toEqual({ mid: fc?.message_id });
    // A late answer changes nothing.
    await tap(ALICE, buttonsOf(alertSends()[0])[0]);
    expect(lastText()).toContain('expired without an answer');
    expect(await booked(txn.id)).toBeUndefined();
    const row = await h.bank.db
      .selectFrom('alerts')
      .select(['status', 'settled_by', 'contacts'])
      .where('id', '=', fc!.id)
      .executeTakeFirst();
    expect(row).toEqual({ status: 'expired', settled_by: 'deadline', contacts: 3 });
  });

  it('a contact the hub refuses is recorded, not retried, and the case still expires on time', async () => {
    h.hub.refuse.add('fraud_alerts');
    const { alert: fc } = await h.bank.simulator.stage('amount_anomaly', 'cus_alice', 'card_alice_debit');
    expect(fc?.contacts).toBe(0);
    expect(await h.bank.db.selectFrom('refusals').select(['category', 'context']).execute()).toEqual([
      { category: 'fraud_alerts', context: `fraud_alert:${fc?.ref}` },
    ]);
    h.clock.now += 60_000;
    expect(await h.bank.cases.sweep()).toBe(1);
  });

  it('"unlock card" on a card locked for fraud is refused with a one-time step-up link; a card the customer locked unlocks at once', async () => {
    await h.bank.simulator.stage('amount_anomaly', 'cus_alice', 'card_alice_debit');
    await h.deliver(textEvent(ALICE, 'unlock card'));
    expect(lastText()).toContain('waits for your answer');
    h.clock.now += 60_000;
    await h.bank.cases.sweep();
    await h.bank.ledger.lockCard('card_alice_credit', 'customer', h.clock.now);
    await h.deliver(postbackEvent(ALICE, 'Unlock', 'UNLOCK:card_alice_credit'));
    expect((await h.bank.ledger.card('card_alice_credit'))?.status).toBe('active');
    await h.deliver(textEvent(ALICE, 'unlock card'));
    const refusal = h.hub.sends().at(-1)?.body.message.attachment.payload;
    expect(refusal.text).toContain("can't unlock it from chat alone");
    expect(refusal.buttons[0]).toMatchObject({
      type: 'web_url',
      url: expect.stringMatching(/^http:\/\/bank\.test\/step-up\/[\w-]{43}$/),
    });
    expect((await h.bank.ledger.card('card_alice_debit'))?.status).toBe('locked');
  });

  it('an agent handing back from the inbox with "approve unlock" only asks a supervisor (four-eyes); the card unlocks on the approved decision; other notes and other apps ask nothing', async () => {
    await h.bank.simulator.stage('new_country', 'cus_alice', 'card_alice_debit');
    await tap(ALICE, buttonsOf(alertSends()[0])[1]);
    const handBack = (from: string | number, metadata: string) => ({
      sender: { id: ALICE },
      recipient: { id: 'PAGE_1' },
      timestamp: h.clock.now,
      pass_thread_control: { previous_owner_app_id: String(from), new_owner_app_id: '1', metadata },
    });
    const asked = () => h.hub.requests.filter((r) => r.path === '/me/approval_requests');
    const locked = { status: 'locked', lock_reason: 'fraud_confirmed' };
    await h.deliver(handBack(PAGE_INBOX_APP_ID, 'customer sounded unsure'));
    await h.deliver(handBack('999', 'approve unlock'));
    await h.deliver(handBack(PAGE_INBOX_APP_ID, 'approve unlock 7315'));
    expect(asked()).toEqual([]);
    await h.deliver(handBack(PAGE_INBOX_APP_ID, 'Approved unlock 4821 after a call'));
    // The hand-back alone no longer unlocks: it raises a card_unlock request for a supervisor.
    expect(await h.bank.ledger.card('card_alice_debit')).toMatchObject(locked);
    expect(asked().map((r) => r.body)).toEqual([
      {
        recipient: { id: ALICE },
        kind: 'card_unlock',
        summary: expect.stringContaining('•••• 4821'),
        details: { card_last4: '4821' },
      },
    ]);
    expect(lastText()).toContain('A supervisor will review unlocking card •••• 4821');
    const decided = (status: 'approved' | 'rejected') => ({
      sender: { id: ALICE },
      recipient: { id: 'PAGE_1' },
      timestamp: h.clock.now,
      approval: {
        id: 'apr_1',
        kind: 'card_unlock',
        status,
        details: { card_last4: '4821' },
        note: 'Called her back',
        decided_at: h.clock.now,
        decided_by: { name: 'Rosa' },
        requested_by: 'app',
      },
    });
    await h.deliver(decided('rejected'));
    expect(await h.bank.ledger.card('card_alice_debit')).toMatchObject(locked);
    await h.deliver(decided('approved'));
    expect(await h.bank.ledger.card('card_alice_debit')).toMatchObject({ status: 'active', lock_reason: null });
    expect(lastText()).toContain('Our team approved unlocking card •••• 4821');
  });

  it('background traffic skips blocked cards instead of piling up declines', async () => {
    await h.bank.simulator.stage('amount_anomaly', 'cus_alice', 'card_alice_debit');
    const count = async (cardId: string) =>
      Number(
        (
          await h.bank.db
            .selectFrom('transactions')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('card_id', '=', cardId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count('card_alice_debit');
    const others = await Promise.all(['card_alice_credit', 'card_bob_debit', 'card_bob_credit'].map(count));
    h.clock.now += 2 * 3_600_000;
    await h.bank.simulator.tick();
    expect(await count('card_alice_debit')).toBe(before);
    const after = await Promise.all(['card_alice_credit', 'card_bob_debit', 'card_bob_credit'].map(count));
    expect(after.reduce((a, b) => a + b, 0)).toBeGreaterThan(others.reduce((a, b) => a + b, 0));
  });

  it('the step-up page unlocks only for the card owner, once, and a link dies after too many wrong sign-ins', async () => {
    await h.bank.simulator.stage('amount_anomaly', 'cus_alice', 'card_alice_debit');
    h.clock.now += 60_000;
    await h.bank.cases.sweep();
    const link = async () => {
      await h.deliver(textEvent(ALICE, 'unlock card'));
      return new URL(h.hub.sends().at(-1)?.body.message.attachment.payload.buttons[0].url).pathname;
    };
    const post = (url: string, username: string, password: string) =>
      h.bank.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ username, password }).toString(),
      });
    const first = await link();
    expect((await h.bank.app.inject({ method: 'GET', url: first })).statusCode).toBe(200);
    expect((await post(first, 'bob', 'bob-bank-pass')).statusCode).toBe(401);
    for (let i = 0; i < 3; i++) expect((await post(first, 'alice', 'nope')).statusCode).toBe(401);
    expect((await post(first, 'alice', 'nope')).statusCode).toBe(429);
    expect((await post(first, 'alice', 'alice-bank-pass')).statusCode).toBe(400);
    expect((await h.bank.ledger.card('card_alice_debit'))?.status).toBe('locked');
    const second = await link();
    expect((await post(second, 'alice', 'alice-bank-pass')).statusCode).toBe(200);
    expect((await h.bank.ledger.card('card_alice_debit'))?.status).toBe('active');
    expect((await post(second, 'alice', 'alice-bank-pass')).statusCode).toBe(400);
    expect((await h.bank.app.inject({ method: 'GET', url: '/step-up/short' })).statusCode).toBe(400);
  });

  it('every staged scenario ends in a visible alert, the card-testing burst included', async () => {
    for (const [scenario, card] of [
      ['cnp_burst', 'card_alice_credit'],
      ['compromised_terminal', 'card_bob_debit'],
      ['new_country', 'card_bob_credit'],
    ] as const) {
      const result = await h.bank.simulator.stage(
        scenario,
        card.startsWith('card_alice') ? 'cus_alice' : 'cus_bob',
        card,
      );
      expect(result.alert, scenario).toMatchObject({ status: 'open', contacts: 1 });
    }
    // A blocked card cannot be staged on: a clear error rather than a silent decline.
    await expect(h.bank.simulator.stage('amount_anomaly', 'cus_alice', 'card_alice_credit')).rejects.toThrow(
      /is blocked/,
    );
  });

  it('one answer operation for every channel: an answer from another channel settles the case and closes the chat alert with the outcome', async () => {
    const { txn, alert: fc } = await h.bank.simulator.stage('risky_merchant', 'cus_alice', 'card_alice_credit');
    const alertMid = fc?.message_id;
    expect(alertMid).toEqual(expect.any(String));
    const result = await h.bank.cases.answer({
      ref: fc?.ref,
      answer: 'yes',
      channel: 'sms',
      sender: '+4915100000000',
      customerId: 'cus_alice',
      proof: undefined,
      proofless: true,
    });
    expect(result).toMatchObject({ ok: true, case: { status: 'genuine', settled_by: 'customer:sms:+4915100000000' } });
    expect(await booked(txn.id)).toBeDefined();
    const notice = h.hub.sends().at(-1)?.body;
    expect(notice).toMatchObject({
      messaging_type: 'UTILITY',
      notification_category: 'fraud_alerts',
      reply_to: { mid: alertMid },
    });
    expect(notice.message.attachment.payload.text).toContain('answered on another channel');
    // The chat buttons now get the outcome, not a second settlement.
    await tap(ALICE, buttonsOf(alertSends()[0])[1]);
    expect(lastText()).toContain('is already closed: you confirmed');
  });
});

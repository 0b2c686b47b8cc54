/**
 * Fraud cases end to end: a real hub and the sandbox bank on loopback, the customer in
 * the hub's customer API (cookie session), the fraud team in the agent inbox API. The
 * staged payment opens a case within a second; the answers settle it in the bank's
 * ledger; bad answers change nothing; a fraud-locked card needs a step-up; and while an
 * agent holds the thread, the bank's consented updates still reach the customer.
 */
import { PAGE_INBOX_APP_ID } from '@confide/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_AGENTS, ensureAgent } from '../../apps/sandbox-bank/src/demo/provision.js';
import { Browser, eventually, startWorld, type World } from './helpers.js';
import { linkBankAccount, logIn, messages, type Msg } from './chat-helpers.js';

let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

/** The fraud check: a utility message (the bank's sandbox_fraud_check template). */
const isAlert = (m: Msg) =>
  m.direction === 'out' &&
  m.notification_category === 'fraud_alerts' &&
  m.body.attachment?.payload['template_type'] === 'utility' &&
  m.body.attachment.payload['name'] === 'sandbox_fraud_check';
const buttons = (m: Msg): { title: string; payload: string }[] => m.body.attachment?.payload['buttons'] ?? [];
const tap = (browser: Browser, conversationId: string, alert: Msg, title: string, payload?: string) =>
  browser.api<Msg>(`/api/conversations/${conversationId}/messages`, {
    method: 'POST',
    json: {
      postback: {
        title,
        payload: payload ?? buttons(alert).find((b) => b.title === title)?.payload ?? '',
        message_mid: alert.mid,
      },
    },
  });
const say = (browser: Browser, conversationId: string, text: string) =>
  browser.api(`/api/conversations/${conversationId}/messages`, { method: 'POST', json: { text } });
const waitForText = (browser: Browser, conversationId: string, fragment: string, after = 0) =>
  eventually(
    async () =>
      (await messages(browser, conversationId)).find(
        (m) => m.created_at >= after && (m.body.text ?? m.body.attachment?.payload['text'] ?? '').includes(fragment),
      ),
    `"${fragment}"`,
  );

async function aliceLinked(world: World) {
  const { browser, conversationId } = await logIn(world, 'alice', 'alice-demo-password');
  const psid = await linkBankAccount(
    world,
    browser,
    conversationId,
    ['alice', 'alice-bank-pass'],
    ['balances', 'transactions', 'fraud_alerts'],
  );
  await waitForText(browser, conversationId, 'Hi Alice');
  return { browser, conversationId, psid };
}

async function alertFor(browser: Browser, conversationId: string, ref: string | null | undefined): Promise<Msg> {
  return eventually(
    async () =>
      (await messages(browser, conversationId)).find(
        (m) => isAlert(m) && String(m.body.attachment?.payload['header']).includes(`${ref}`),
      ),
    `the alert ${ref}`,
  );
}

const bookedRow = (world: World, txnId: string) =>
  world.bank.db
    .selectFrom('transactions')
    .select(['id', 'status'])
    .where('supersedes', '=', txnId)
    .where('status', '=', 'booked')
    .executeTakeFirst();
const txnStatus = async (world: World, txnId: string) =>
  (await world.bank.db.selectFrom('transactions').select('status').where('id', '=', txnId).executeTakeFirstOrThrow())
    .status;

describe('fraud cases against a real hub', () => {
  it('a staged payment opens a case within 1 s; "No, not me": declined, never booked, card blocked, replacement ordered, in the fraud team’s queue', async () => {
    w = await startWorld();
    const world = w;
    const { browser, conversationId, psid } = await aliceLinked(world);
    const { txn, alert: fc } = await world.bank.simulator.stage('amount_anomaly', 'cus_alice', 'card_alice_debit');
    expect(fc).toMatchObject({ status: 'open', ref: expect.stringMatching(/^FC-/) });
    const alert = await alertFor(browser, conversationId, fc?.ref);
    expect(alert.created_at - txn.occurred_at).toBeGreaterThanOrEqual(0);
    expect(alert.created_at - txn.occurred_at).toBeLessThan(1_000);
    expect(alert).toMatchObject({ awaits_answer: true });
    expect(alert.tag ?? null).toBeNull();
    expect(buttons(alert).map((b) => b.title)).toEqual(['Yes, it was me', 'No, not me']);
    expect(await txnStatus(world, txn.id)).toBe('pending');

    await tap(browser, conversationId, alert, 'No, not me');
    await waitForText(browser, conversationId, 'A replacement card is on its way');
    await eventually(
      async () =>
        (await world.bank.platform.handover.getThreadOwner(psid)) === String(PAGE_INBOX_APP_ID) ? true : undefined,
      'the hand-over',
    );
    expect(await txnStatus(world, txn.id)).toBe('rejected');
    expect(await bookedRow(world, txn.id)).toBeUndefined();
    expect(await world.bank.ledger.card('card_alice_debit')).toMatchObject({
      status: 'locked',
      lock_reason: 'fraud_confirmed',
    });
    expect(await world.bank.db.selectFrom('card_replacements').select('card_id').execute()).toEqual([
      { card_id: 'card_alice_debit' },
    ]);
    // Nothing owed for the disputed payment: the credit card's booked balance did not move.
    const checking = await world.bank.ledger.account('acc_alice_chk');
    expect(checking?.availableMinor).toBe(checking?.bookedMinor);

    // The fraud team's queue (agent inbox) has the conversation.
    const agent = DEMO_AGENTS[0];
    await ensureAgent(world.hub, world.page.pageId, agent);
    const inbox = new Browser(world.hubUrl);
    await inbox.api('/inbox/api/login', {
      method: 'POST',
      json: { username: agent.username, password: agent.password },
    });
    const queue = await inbox.api<{ data: { customer: { psid: string } }[] }>('/inbox/api/queue');
    expect(queue.data.map((q) => q.customer.psid)).toContain(psid);
    // The customer app shows the answer in place of the buttons.
    const answered = (await messages(browser, conversationId)).find((m) => m.mid === alert.mid);
    expect(answered).toMatchObject({ awaits_answer: false, answered_postback: { title: 'No, not me' } });
  });

  it('"Yes, it was me" books the held payment and unblocks the card; a replayed postback changes nothing', async () => {
    w = await startWorld();
    const world = w;
    const { browser, conversationId } = await aliceLinked(world);
    const { txn, alert: fc } = await world.bank.simulator.stage('risky_merchant', 'cus_alice', 'card_alice_credit');
    const alert = await alertFor(browser, conversationId, fc?.ref);
    expect(await world.bank.ledger.card('card_alice_credit')).toMatchObject({
      status: 'locked',
      lock_reason: 'fraud_review',
    });
    await tap(browser, conversationId, alert, 'Yes, it was me');
    await waitForText(browser, conversationId, 'you can retry now');
    expect(await bookedRow(world, txn.id)).toBeDefined();
    expect(await world.bank.ledger.card('card_alice_credit')).toMatchObject({ status: 'active', lock_reason: null });
    const bookedBefore = (await world.bank.ledger.account('acc_alice_cc'))?.bookedMinor;

    // Replays: the same tap again, then the other button of the same message.
    const t = Date.now();
    await tap(browser, conversationId, alert, 'Yes, it was me');
    await tap(browser, conversationId, alert, 'No, not me');
    await eventually(
      async () =>
        (await messages(browser, conversationId)).filter(
          (m) => m.created_at >= t && m.body.text?.includes('is already closed'),
        ).length === 2
          ? true
          : undefined,
      'two outcome replies',
    );
    expect(await world.bank.ledger.card('card_alice_credit')).toMatchObject({ status: 'active' });
    expect((await world.bank.ledger.account('acc_alice_cc'))?.bookedMinor).toBe(bookedBefore);
    expect(await world.bank.db.selectFrom('alerts').select('status').execute()).toEqual([{ status: 'genuine' }]);
    expect(
      (await world.bank.db.selectFrom('answer_rejections').select('reason').execute()).map((r) => r.reason),
    ).toEqual(['replayed', 'replayed']);
  });

  it('two open cases answered in the opposite order settle correctly', async () => {
    w = await startWorld();
    const world = w;
    const { browser, conversationId } = await aliceLinked(world);
    const a = await world.bank.simulator.stage('amount_anomaly', 'cus_alice', 'card_alice_debit');
    const b = await world.bank.simulator.stage('risky_merchant', 'cus_alice', 'card_alice_credit');
    const alertA = await alertFor(browser, conversationId, a.alert?.ref);
    const alertB = await alertFor(browser, conversationId, b.alert?.ref);
    const conv = await browser.api<{ awaiting_answers: number }>(`/api/conversations/${conversationId}`);
    expect(conv.awaiting_answers).toBe(2);
    await tap(browser, conversationId, alertB, 'Yes, it was me');
    await waitForText(browser, conversationId, `Thanks, security check ${b.alert?.ref} is closed`);
    await tap(browser, conversationId, alertA, 'No, not me');
    await waitForText(browser, conversationId, `Thanks for telling us (security check ${a.alert?.ref})`);
    expect(await bookedRow(world, b.txn.id)).toBeDefined();
    expect(await txnStatus(world, a.txn.id)).toBe('rejected');
    expect(await world.bank.ledger.card('card_alice_credit')).toMatchObject({ status: 'active' });
    expect(await world.bank.ledger.card('card_alice_debit')).toMatchObject({ lock_reason: 'fraud_confirmed' });
    expect(
      (await browser.api<{ awaiting_answers: number }>(`/api/conversations/${conversationId}`)).awaiting_answers,
    ).toBe(0);
  });

  it('no answer: a reminder, then the case expires with the payment declined; "unlock card" is refused until the step-up passes', async () => {
    w = await startWorld({ BANK_REPLY_TIMEOUT_MS: '1500', BANK_REMIND_AFTER_MS: '500' });
    const world = w;
    const { browser, conversationId, psid } = await aliceLinked(world);
    const { txn, alert: fc } = await world.bank.simulator.stage('amount_anomaly', 'cus_alice', 'card_alice_debit');
    await alertFor(browser, conversationId, fc?.ref);
    await waitForText(browser, conversationId, `Reminder about security check ${fc?.ref}`);
    await waitForText(browser, conversationId, `We didn't hear back about security check ${fc?.ref}`);
    expect(await txnStatus(world, txn.id)).toBe('rejected');
    expect(await bookedRow(world, txn.id)).toBeUndefined();
    expect(await world.bank.ledger.card('card_alice_debit')).toMatchObject({
      status: 'locked',
      lock_reason: 'fraud_expired',
    });
    // The expiry notice replies to the alert: its question is closed in her app, no longer "action needed".
    const expired = (await messages(browser, conversationId)).find(
      (m) => isAlert(m) && String(m.body.attachment?.payload['header']).includes(`${fc?.ref}`),
    );
    expect(expired).toMatchObject({ awaits_answer: false, answered_postback: null });
    expect(
      (await browser.api<{ awaiting_answers: number }>(`/api/conversations/${conversationId}`)).awaiting_answers,
    ).toBe(0);

    // A plain "unlock card" is refused with a step-up link to the bank's own page.
    const t = Date.now();
    await say(browser, conversationId, 'unlock card');
    const refusal = await waitForText(browser, conversationId, "can't unlock it from chat alone", t);
    const url: string = refusal.body.attachment?.payload['buttons'][0].url;
    expect(url.startsWith(`${world.bankUrl}/step-up/`)).toBe(true);
    expect((await world.bank.ledger.card('card_alice_debit'))?.status).toBe('locked');
    // Wrong credentials (bob's): still locked. The owner's: unlocked, and told so in chat.
    expect((await browser.request(url)).status).toBe(200);
    expect((await browser.request(url, { form: { username: 'bob', password: 'bob-bank-pass' } })).status).toBe(401);
    expect((await browser.request(url, { form: { username: 'alice', password: 'wrong-password' } })).status).toBe(401);
    expect((await world.bank.ledger.card('card_alice_debit'))?.status).toBe('locked');
    expect((await browser.request(url, { form: { username: 'alice', password: 'alice-bank-pass' } })).status).toBe(200);
    expect(await world.bank.ledger.card('card_alice_debit')).toMatchObject({ status: 'active', lock_reason: null });
    await waitForText(browser, conversationId, 'is unlocked: you confirmed');
    // The link works once.
    expect((await browser.request(url, { form: { username: 'alice', password: 'alice-bank-pass' } })).status).toBe(400);
    const history = await world.bank.cases.history(fc!.id);
    expect(history.map((e) => e.actor)).toEqual(
      expect.arrayContaining(['deadline', `customer:chat:${psid}`, `customer:step-up:${psid}`]),
    );
  });

  it('with an agent holding the thread, a fraud alert and a consented transaction notice both reach the customer, in order', async () => {
    w = await startWorld({ BANK_NOTIFY_TRANSACTIONS: 'true' });
    const world = w;
    const { browser, conversationId, psid } = await aliceLinked(world);
    await say(browser, conversationId, 'agent');
    await eventually(
      async () =>
        (await world.bank.platform.handover.getThreadOwner(psid)) === String(PAGE_INBOX_APP_ID) ? true : undefined,
      'the hand-over',
    );
    const t = Date.now();
    const { alert: fc } = await world.bank.simulator.stage('amount_anomaly', 'cus_alice', 'card_alice_debit');
    await world.bank.processor.authorize({
      ref: 'e2e-1',
      cardId: 'card_alice_credit',
      customerId: 'cus_alice',
      amountMinor: 1_250,
      currency: 'EUR',
      merchantName: 'Café Luna',
      mcc: '5814',
      merchantCountry: 'DE',
      terminalId: 'T-CAFELUNA-01',
      cardPresent: true,
      occurredAt: Date.now(),
      scenario: 'normal',
    });
    const alert = await alertFor(browser, conversationId, fc?.ref);
    const notice = await waitForText(browser, conversationId, 'Café Luna', t);
    expect(notice.notification_category).toBe('transactions');
    expect(alert.created_at).toBeLessThanOrEqual(notice.created_at);
    const all = await messages(browser, conversationId);
    expect(all.findIndex((m) => m.mid === alert.mid)).toBeGreaterThan(all.findIndex((m) => m.mid === notice.mid));
    expect(await world.bank.db.selectFrom('refusals').selectAll().execute()).toEqual([]);
    // The thread is still the agent's.
    expect(await world.bank.platform.handover.getThreadOwner(psid)).toBe(String(PAGE_INBOX_APP_ID));
  });

  it('"unlock card" on a fraud-reported card is refused; an agent’s "approve unlock" hand-back asks, a supervisor approves (four-eyes) and the card works again', async () => {
    w = await startWorld();
    const world = w;
    const { browser, conversationId, psid } = await aliceLinked(world);
    const { alert: fc } = await world.bank.simulator.stage('amount_anomaly', 'cus_alice', 'card_alice_debit');
    await tap(browser, conversationId, await alertFor(browser, conversationId, fc?.ref), 'No, not me');
    await eventually(
      async () =>
        (await world.bank.platform.handover.getThreadOwner(psid)) === String(PAGE_INBOX_APP_ID) ? true : undefined,
      'the hand-over',
    );

    const agent = DEMO_AGENTS[0];
    await ensureAgent(world.hub, world.page.pageId, agent);
    const inbox = new Browser(world.hubUrl);
    await inbox.api('/inbox/api/login', {
      method: 'POST',
      json: { username: agent.username, password: agent.password },
    });
    await inbox.api(`/inbox/api/conversations/${conversationId}/take`, { method: 'POST' });
    // Handing back without an approval: the customer's own "unlock card" is still refused.
    await inbox.api(`/inbox/api/conversations/${conversationId}/done`, { method: 'POST' });
    await eventually(
      async () =>
        (await world.bank.platform.handover.getThreadOwner(psid)) !== String(PAGE_INBOX_APP_ID) ? true : undefined,
      'the hand-back',
    );
    const t = Date.now();
    await say(browser, conversationId, 'unlock card');
    await waitForText(browser, conversationId, "can't unlock it from chat alone", t);
    expect(await world.bank.ledger.card('card_alice_debit')).toMatchObject({
      status: 'locked',
      lock_reason: 'fraud_confirmed',
    });

    // She asks for an agent; the agent approves in the inbox.
    await say(browser, conversationId, 'agent');
    await eventually(
      async () =>
        (await world.bank.platform.handover.getThreadOwner(psid)) === String(PAGE_INBOX_APP_ID) ? true : undefined,
      'the second hand-over',
    );
    await inbox.api(`/inbox/api/conversations/${conversationId}/take`, { method: 'POST' });
    await inbox.api(`/inbox/api/conversations/${conversationId}/done`, {
      method: 'POST',
      json: { note: 'approve unlock 4821' },
    });
    // Four-eyes: the hand-back only asks; the card stays locked until a supervisor approves.
    await waitForText(browser, conversationId, 'A supervisor will review unlocking card •••• 4821');
    expect(await world.bank.ledger.card('card_alice_debit')).toMatchObject({
      status: 'locked',
      lock_reason: 'fraud_confirmed',
    });
    const rosa = DEMO_AGENTS[1];
    await ensureAgent(world.hub, world.page.pageId, rosa);
    const supervisor = new Browser(world.hubUrl);
    await supervisor.api('/inbox/api/login', {
      method: 'POST',
      json: { username: rosa.username, password: rosa.password },
    });
    const pending = await supervisor.api<{ data: { id: string; kind: string; status: string }[] }>(
      '/inbox/api/approvals',
    );
    const request = pending.data.find((a) => a.kind === 'card_unlock' && a.status === 'pending');
    expect(request).toBeDefined();
    await supervisor.api(`/inbox/api/approvals/${request!.id}/decision`, {
      method: 'POST',
      json: { decision: 'approve', note: 'Called her back on the number we hold' },
    });
    await waitForText(browser, conversationId, 'Our team approved unlocking card •••• 4821');
    expect(await world.bank.ledger.card('card_alice_debit')).toMatchObject({ status: 'active', lock_reason: null });
    expect((await world.bank.cases.history(fc!.id)).map((e) => e.actor)).toContain('agent:inbox');
  });
});

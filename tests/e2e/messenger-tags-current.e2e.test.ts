/**
 * The sandboxes on a hub that answers the retired update tags as Meta does since 2026-04-27
 * (`MESSENGER_TAGS=current`): the bank's fraud check, its reminder and expiry notice, a
 * transaction notice, and the shop's receipt and shipping updates all reach the customer,
 * because they are utility templates the sandboxes created at start-up; a tagged send from
 * the same bank is refused with (#100).
 */
import { isPlatformApiError } from '@confide/sdk';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BANK_TEMPLATES } from '../../apps/sandbox-bank/src/bank/templates.js';
import { UtilityTemplates } from '../../apps/sandbox-bank/src/common/utility-templates.js';
import { SANDBOX_SHOP_PAGE, ensurePage, subscribeWebhook } from '../../apps/sandbox-bank/src/demo/provision.js';
import { loadShopConfig } from '../../apps/sandbox-bank/src/shop/config.js';
import { createShop, type SandboxShop } from '../../apps/sandbox-bank/src/shop/server.js';
import { linkBankAccount, logIn, messages, type Msg } from './chat-helpers.js';
import { eventually, freePort, startWorld, type World } from './helpers.js';

let w: World | undefined;
let shop: SandboxShop | undefined;
afterEach(async () => {
  await w?.close();
  await shop?.close();
  w = undefined;
  shop = undefined;
});

const textOf = (m: Msg): string => m.body.text ?? m.body.attachment?.payload['text'] ?? '';

describe('MESSENGER_TAGS=current: the sandboxes send utility templates', () => {
  it('the bank’s fraud check (answered with its button), reminder, expiry and transaction notice reach alice; a tagged send is refused', async () => {
    w = await startWorld(
      { BANK_NOTIFY_TRANSACTIONS: 'true', BANK_REPLY_TIMEOUT_MS: '1500', BANK_REMIND_AFTER_MS: '500' },
      { MESSENGER_TAGS: 'current' },
    );
    const world = w;
    expect(world.hub.ctx.config.MESSENGER_TAGS).toBe('current');
    const { browser, conversationId } = await logIn(world, 'alice', 'alice-demo-password');
    const psid = await linkBankAccount(
      world,
      browser,
      conversationId,
      ['alice', 'alice-bank-pass'],
      ['balances', 'transactions', 'fraud_alerts'],
    );
    const find = (probe: (m: Msg) => boolean, what: string) =>
      eventually(async () => (await messages(browser, conversationId)).find(probe), what);

    // The bank created its templates at start-up; a second start reuses them (nothing created).
    const before = await world.bank.platform.templates.list();
    expect(before.map((t) => `${t.name} ${t.status}`).sort()).toEqual(
      BANK_TEMPLATES.map((t) => `${t.name} APPROVED`).sort(),
    );
    await new UtilityTemplates({ platform: world.bank.platform, specs: BANK_TEMPLATES }).ensure();
    expect(await world.bank.platform.templates.list()).toEqual(before);

    // The tags are gone on this hub: the same bank's tagged send answers (#100).
    const tagged: unknown = await world.bank.platform.messages
      .sendProactiveUpdate(psid, { text: 'tagged' }, { tag: 'ACCOUNT_UPDATE', notificationCategory: 'balances' })
      .catch((e: unknown) => e);
    expect(isPlatformApiError(tagged) && tagged.code).toBe(100);

    // A fraud check, answered "Yes, it was me" with its button: the held payment is booked.
    const first = await world.bank.simulator.stage('risky_merchant', 'cus_alice', 'card_alice_credit');
    const check = await find(
      (m) => m.body.attachment?.payload['header'] === `Security check ${first.alert?.ref}`,
      'the fraud check',
    );
    expect(check).toMatchObject({ notification_category: 'fraud_alerts', awaits_answer: true });
    expect(check.body.attachment?.payload['template_type']).toBe('utility');
    const yes = (check.body.attachment?.payload['buttons'] as { title: string; payload: string }[]).find(
      (b) => b.title === 'Yes, it was me',
    );
    await browser.api(`/api/conversations/${conversationId}/messages`, {
      method: 'POST',
      json: { postback: { title: 'Yes, it was me', payload: yes?.payload ?? '', message_mid: check.mid } },
    });
    await find((m) => textOf(m).includes('you can retry now'), 'the confirmation');
    expect(await world.bank.ledger.card('card_alice_credit')).toMatchObject({ status: 'active' });

    // A second case left unanswered: reminder, then expiry, which closes the check's question.
    const second = await world.bank.simulator.stage('amount_anomaly', 'cus_alice', 'card_alice_debit');
    await find((m) => textOf(m).includes(`Reminder about security check ${second.alert?.ref}`), 'the reminder');
    await find((m) => textOf(m).includes(`We didn't hear back about security check ${second.alert?.ref}`), 'expiry');
    const closed = await find(
      (m) => m.body.attachment?.payload['header'] === `Security check ${second.alert?.ref}`,
      'the second check',
    );
    expect(closed).toMatchObject({ awaits_answer: false, answered_postback: null });

    // An ordinary purchase: a transaction notice.
    await world.bank.processor.authorize({
      ref: 'current-1',
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
    const notice = await find((m) => textOf(m).includes('Café Luna'), 'the transaction notice');
    expect(notice.notification_category).toBe('transactions');
    expect(await world.bank.db.selectFrom('refusals').selectAll().execute()).toEqual([]);
    const updates = (await messages(browser, conversationId)).filter((m) => m.notification_category != null);
    expect(updates.length).toBeGreaterThanOrEqual(5);
    expect(updates.every((m) => m.tag == null && m.body.attachment?.payload['template_type'] === 'utility')).toBe(true);
  });

  it('the shop’s receipt and shipping updates reach alice', async () => {
    w = await startWorld({}, { MESSENGER_TAGS: 'current' });
    const world = w;
    const page = await ensurePage(world.hub, SANDBOX_SHOP_PAGE);
    const verifyToken = randomBytes(12).toString('hex');
    shop = await createShop(
      loadShopConfig([], {
        SHOP_HUB_URL: world.hubUrl,
        SHOP_PAGE_TOKEN: page.pageToken,
        SHOP_APP_SECRET: page.appSecret,
        SHOP_VERIFY_TOKEN: verifyToken,
        SHOP_PORT: String(await freePort()),
        SHOP_SHIP_STEP_MS: '200',
      }),
      { memory: true, log: pino({ level: 'silent' }) },
    );
    const shopUrl = await shop.start();
    await subscribeWebhook(world.hub, page.pageId, `${shopUrl}/webhook`, verifyToken);

    const { browser } = await logIn(world, 'alice', 'alice-demo-password');
    const conversation = await browser.api<{ id: string }>('/api/conversations', {
      method: 'POST',
      json: { page_id: page.pageId },
    });
    const alice = await world.hub.ctx.storage.db
      .selectFrom('customers')
      .select('id')
      .where('username', '=', 'alice')
      .executeTakeFirstOrThrow();
    await world.hub.services.consents.set(alice.id, page.pageId, ['receipts', 'shipping']);
    await browser.api(`/api/conversations/${conversation.id}/messages`, { method: 'POST', json: { text: 'hi' } });
    const offer = await eventually(
      async () => (await messages(browser, conversation.id)).find((m) => /code is [A-Z0-9]{8}/.test(textOf(m))),
      'the checkout code',
    );
    const code = /code is ([A-Z0-9]{8})/.exec(textOf(offer))?.[1] ?? '';
    const placed = await fetch(`${shopUrl}/order`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ code, qty_mug: '1' }).toString(),
    });
    expect(await placed.text()).toContain('Your receipt is in your Sandbox Shop chat');
    const receipt = await eventually(
      async () => (await messages(browser, conversation.id)).find((m) => m.notification_category === 'receipts'),
      'the receipt',
    );
    expect(receipt.body.attachment?.payload).toMatchObject({ template_type: 'utility', name: 'sandbox_order_receipt' });
    expect(textOf(receipt)).toContain('1 × Confide mug (€12.00)');
    const delivered = await eventually(
      async () =>
        (await messages(browser, conversation.id)).find((m) => textOf(m).includes('has a new status: delivered')),
      'the delivery update',
      15_000,
    );
    expect(delivered.notification_category).toBe('shipping');
    expect(await shop.db.selectFrom('refusals').selectAll().execute()).toEqual([]);
  });
});

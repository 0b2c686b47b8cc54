import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  APP_SECRET,
  VERIFY_TOKEN,
  fakeHub,
  postbackEvent,
  signedWebhook,
  textEvent,
  type FakeHub,
} from '../../test/fake-hub.js';
import { loadShopConfig } from './config.js';
import { createShop, type SandboxShop } from './server.js';

let hub: FakeHub;
let shop: SandboxShop;
const clock = { now: Date.UTC(2026, 10, 23, 12, 0, 0) };
beforeEach(async () => {
  hub = fakeHub();
  const config = loadShopConfig([], {
    SHOP_HUB_URL: 'http://hub.test',
    SHOP_PAGE_TOKEN: 'EAAC-test-shop-token-0123456789',
    SHOP_APP_SECRET: APP_SECRET,
    SHOP_VERIFY_TOKEN: VERIFY_TOKEN,
    SHOP_PUBLIC_URL: 'http://shop.test',
    SHOP_SHIP_STEP_MS: '1000',
  });
  shop = await createShop(config, {
    memory: true,
    fetch: hub.fetch,
    now: () => clock.now,
    log: pino({ level: 'silent' }),
  });
});
afterEach(() => shop.close());

async function codeFromChat(psid: string): Promise<string> {
  expect((await shop.app.inject(signedWebhook([textEvent(psid, 'hi')]))).statusCode).toBe(200);
  const payload = hub.sends().at(-1)?.body.message.attachment.payload;
  const code = /code is ([A-Z0-9]{8})/.exec(payload.text)?.[1] ?? '';
  expect(payload.buttons[0]).toEqual({
    type: 'web_url',
    url: `http://shop.test/?code=${code}`,
    title: 'Open the shop',
  });
  return code;
}
const order = (fields: Record<string, string>) =>
  shop.app.inject({
    method: 'POST',
    url: '/order',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  });

describe('sandbox shop', () => {
  it('identifies the customer by a one-time code from chat and sends the receipt as a utility template', async () => {
    const code = await codeFromChat('psid-alice');
    const res = await order({ code, qty_mug: '2', qty_stickers: '1' });
    expect(res.statusCode).toBe(200);
    const sent = hub.sends().at(-1);
    expect(sent?.body).toMatchObject({
      recipient: { id: 'psid-alice' },
      messaging_type: 'UTILITY',
      notification_category: 'receipts',
    });
    expect(sent?.raw).not.toHaveProperty('tag');
    expect(sent?.raw.message.template.name).toBe('sandbox_order_receipt');
    const receipt = sent?.body.message.attachment.payload;
    expect(receipt).toMatchObject({ template_type: 'utility', header: 'Your Sandbox Shop receipt' });
    expect(receipt.text).toMatch(
      /^Thank you for your Sandbox Shop order SB-[\w-]+: 2 × Confide mug \(€24\.00\), 1 × Sticker pack \(€4\.50\)\. Subtotal €28\.50, shipping €4\.95, total €33\.45 including €4\.55 VAT, paid with Sandbox Pay\.$/,
    );
    // The code is single-use.
    expect((await order({ code, qty_mug: '1' })).statusCode).toBe(400);
  });

  it('announces shipped, out for delivery and delivered as shipping updates (a utility template)', async () => {
    await order({ code: await codeFromChat('psid-bob'), qty_hoodie: '1' });
    for (let i = 0; i < 4; i++) {
      clock.now += 1_000;
      await shop.orders.advance();
    }
    const shipping = hub.sends().filter((r) => r.body.notification_category === 'shipping');
    expect(shipping.map((r) => r.body.message.attachment.payload.text.replace(/SB-[\w-]+/, 'ID'))).toEqual([
      'Your Sandbox Shop order ID has a new status: shipped. Thank you for shopping with us.',
      'Your Sandbox Shop order ID has a new status: out for delivery today. Thank you for shopping with us.',
      'Your Sandbox Shop order ID has a new status: delivered. Thank you for shopping with us.',
    ]);
    expect(shipping.every((r) => r.raw.message.template.name === 'sandbox_shipping_update')).toBe(true);
  });

  it('logs refused receipts and shipping updates without retrying', async () => {
    hub.refuse.add('receipts');
    hub.refuse.add('shipping');
    await order({ code: await codeFromChat('psid-carol'), qty_notebook: '1' });
    clock.now += 1_000;
    await shop.orders.advance();
    const refusals = await shop.db
      .selectFrom('refusals')
      .select(['psid', 'category', 'subcode'])
      .orderBy('id')
      .execute();
    expect(refusals).toEqual([
      { psid: 'psid-carol', category: 'receipts', subcode: 1400001 },
      { psid: 'psid-carol', category: 'shipping', subcode: 1400001 },
    ]);
    expect(hub.sends().filter((r) => r.body.messaging_type === 'UTILITY')).toHaveLength(2);
  });

  it('asks for receipts and shipping updates through the hub’s consent card when the receipt is refused, and says so', async () => {
    const code = await codeFromChat('psid-dan');
    const sent = await order({ code, qty_mug: '1' });
    expect(sent.body).toContain('Your receipt is in your Sandbox Shop chat');
    expect(hub.requests.filter((r) => r.path === '/me/consent_requests')).toHaveLength(0);

    hub.refuse.add('receipts');
    const refused = await order({ code: await codeFromChat('psid-dan'), qty_mug: '1' });
    expect(refused.body).toContain('tap Allow there');
    expect(hub.requests.filter((r) => r.path === '/me/consent_requests').map((r) => r.body)).toEqual([
      { recipient: { id: 'psid-dan' }, categories: ['receipts', 'shipping'] },
    ]);
  });

  it('hands out one checkout code for a redelivered Get Started postback', async () => {
    const getStarted = postbackEvent('psid-erin', 'Get Started', 'GET_STARTED');
    for (let i = 0; i < 2; i++) expect((await shop.app.inject(signedWebhook([getStarted]))).statusCode).toBe(200);
    expect(hub.sends()).toHaveLength(1);
  });

  it('rejects an unknown code and an empty cart', async () => {
    expect((await order({ code: 'NOPE1234', qty_mug: '1' })).statusCode).toBe(400);
    expect((await order({ code: await codeFromChat('psid-dan') })).statusCode).toBe(400);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildGraphFixture, customerMessages, type GraphFixture } from '../../../test/contract/graph-fixtures.js';
import {
  buildTestHub,
  createPage,
  DIALECTS,
  signUp,
  testClock,
  type TestClock,
  type TestHub,
} from '../../../test/helpers.js';
import { DAY_MS } from './categories.js';
import { categoriesInWords } from './consent-requests.js';
import { declareCategory } from './declarations.js';

describe('categoriesInWords', () => {
  it('names categories as the consent screen does, joined with "and"', () => {
    expect(categoriesInWords(['receipts', 'shipping'])).toBe('receipts and shipping updates');
    expect(categoriesInWords(['balances', 'transactions', 'fraud_alerts'])).toBe(
      'balance updates, transaction notices and fraud alerts',
    );
  });
});

for (const dialect of DIALECTS) {
  describe(`${dialect}: consent requests (POST /me/consent_requests, /api/consent-requests/:id)`, () => {
    let hub: TestHub;
    let clock: TestClock;
    let shop: GraphFixture;
    beforeEach(async () => {
      clock = testClock();
      hub = await buildTestHub({ dialect, clock, env: { SERVICES: 'api,realtime' } });
      const page = await createPage(hub, {
        name: 'Sandbox Shop',
        category: 'merchant',
        webhookUrl: 'https://shop.example/hook',
      });
      shop = await buildGraphFixture(hub, { page });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    const declare = async () => {
      await declareCategory(hub.ctx, {
        pageId: shop.page.page_id,
        category: 'receipts',
        purpose: 'Your receipt after each order.',
      });
      await declareCategory(hub.ctx, {
        pageId: shop.page.page_id,
        category: 'shipping',
        purpose: 'Updates when your order ships.',
      });
    };
    const ask = (categories: string[], token = shop.page.page_access_token) =>
      hub.app.inject({
        method: 'POST',
        url: `/v25.0/me/consent_requests?access_token=${token}`,
        payload: { recipient: { id: shop.psid }, categories },
      });
    const answer = (id: string, body: object, cookie = shop.customer.cookie, origin?: string) =>
      hub.app.inject({
        method: 'POST',
        url: `/api/consent-requests/${id}/answer`,
        headers: { cookie, ...(origin ? { origin } : {}) },
        payload: body,
      });
    const receipt = () =>
      hub.app.inject({
        method: 'POST',
        url: `/v25.0/me/messages?access_token=${shop.page.page_access_token}`,
        payload: {
          recipient: { id: shop.psid },
          messaging_type: 'MESSAGE_TAG',
          tag: 'POST_PURCHASE_UPDATE',
          notification_category: 'receipts',
          message: { text: 'Receipt for order 1001' },
        },
      });
    const hookFields = async () =>
      (await hub.ctx.storage.db.selectFrom('webhook_outbox').select('field').execute()).map((r) => r.field);

    it('renders the hub card in the thread, and grants the chosen categories only from the customer’s answer, once', async () => {
      expect((await ask(['receipts'])).json().error).toMatchObject({ code: 100 }); // nothing declared yet
      await declare();
      expect((await receipt()).statusCode).toBe(400);
      const hooksBefore = await hookFields();

      const asked = await ask(['receipts', 'shipping']);
      expect(asked.statusCode, asked.body).toBe(200);
      const { request_id: id, message_id: mid } = asked.json();
      const card = (await customerMessages(hub, shop)).find((m) => m.mid === mid);
      expect(card?.body).toMatchObject({
        attachment: {
          type: 'template',
          payload: {
            template_type: 'consent_request',
            request_id: id,
            text: 'Sandbox Shop would like to send you receipts and shipping updates.',
          },
        },
      });
      // The card is the hub's: no webhook for it.
      expect(await hookFields()).toEqual(hooksBefore);

      const view = await hub.app.inject({
        method: 'GET',
        url: `/api/consent-requests/${id}`,
        headers: { cookie: shop.customer.cookie },
      });
      expect(view.json()).toEqual({
        id,
        page: { id: shop.page.page_id, name: 'Sandbox Shop' },
        categories: [
          { category: 'receipts', purpose: 'Your receipt after each order.' },
          { category: 'shipping', purpose: 'Updates when your order ships.' },
        ],
        status: 'open',
      });
      // Another customer, a cross-site page: nothing.
      const bob = await signUp(hub);
      expect(
        (await hub.app.inject({ method: 'GET', url: `/api/consent-requests/${id}`, headers: { cookie: bob.cookie } }))
          .statusCode,
      ).toBe(404);
      expect((await answer(id, { allow: true }, bob.cookie)).statusCode).toBe(404);
      expect((await answer(id, { allow: true }, shop.customer.cookie, 'https://evil.example')).statusCode).toBe(403);
      expect((await receipt()).statusCode).toBe(400);

      // The customer allows receipts only.
      const allowed = await answer(id, { allow: true, categories: ['receipts'] });
      expect(allowed.statusCode, allowed.body).toBe(200);
      expect(allowed.json().status).toBe('allowed');
      const ledger = await hub.app.inject({
        method: 'GET',
        url: '/api/privacy/ledger',
        headers: { cookie: shop.customer.cookie },
      });
      expect(ledger.json().data[0]).toMatchObject({ event: 'granted', categories: ['receipts'] });
      expect((await receipt()).statusCode).toBe(200);
      const texts = (await customerMessages(hub, shop)).map((m) => m.body['text']);
      expect(texts).toContain(
        'Confide: Sandbox Shop may now send you receipts. You can change this any time in Privacy.',
      );

      // Single use: a second answer changes nothing.
      expect((await answer(id, { allow: true, categories: ['shipping'] })).statusCode).toBe(400);
      const after = await hub.app.inject({
        method: 'GET',
        url: '/api/privacy/ledger',
        headers: { cookie: shop.customer.cookie },
      });
      expect(after.json().data).toHaveLength(1);
    });

    it('asks once a day at most, leaves out what is already allowed, and Not now writes no ledger entry', async () => {
      await declare();
      const first = (await ask(['shipping'])).json().request_id as string;
      const again = await ask(['receipts']);
      expect(again.statusCode).toBe(400);
      expect(again.json().error.code).toBe(613);
      const declined = await answer(first, { allow: false });
      expect(declined.json().status).toBe('declined');
      const ledger = await hub.app.inject({
        method: 'GET',
        url: '/api/privacy/ledger',
        headers: { cookie: shop.customer.cookie },
      });
      expect(ledger.json().data).toEqual([]);

      clock.advance(DAY_MS + 1);
      await hub.services.consents.set(shop.customer.id, shop.page.page_id, ['receipts']);
      const already = await ask(['receipts']);
      expect(already.json().error.message).toMatch(/already allows/);
      const next = await ask(['receipts', 'shipping']);
      expect(next.statusCode, next.body).toBe(200);
      const view = await hub.app.inject({
        method: 'GET',
        url: `/api/consent-requests/${next.json().request_id}`,
        headers: { cookie: shop.customer.cookie },
      });
      expect(view.json().categories.map((c: { category: string }) => c.category)).toEqual(['shipping']);
      // Allowing shipping keeps receipts.
      await answer(next.json().request_id, { allow: true });
      const state = await hub.services.consents.business(shop.customer.id, shop.page.page_id);
      expect(state.consent.categories).toEqual(['receipts', 'shipping']);
    });

    it('tells the customer of a refused update with a quiet notice, once per category per day, whose Allow grants that category', async () => {
      await declare();
      const notices = async () =>
        (await customerMessages(hub, shop)).flatMap((m) => {
          const payload = (m.body['attachment'] as { payload?: Record<string, unknown> } | undefined)?.payload;
          return payload?.['template_type'] === 'consent_notice' ? [payload] : [];
        });
      const hooksBefore = await hookFields();
      expect((await receipt()).statusCode).toBe(400);
      expect((await receipt()).statusCode).toBe(400);
      expect(await notices()).toEqual([
        expect.objectContaining({
          text: 'Sandbox Shop tried to send you a receipt.',
          detail: 'Receipts are off for Sandbox Shop.',
          categories: ['receipts'],
        }),
      ]);
      expect(await hookFields()).toEqual(hooksBefore);
      // Another category the same day gets its own notice; a business's own request is not blocked by notices.
      const shipping = await hub.app.inject({
        method: 'POST',
        url: `/v25.0/me/messages?access_token=${shop.page.page_access_token}`,
        payload: {
          recipient: { id: shop.psid },
          messaging_type: 'MESSAGE_TAG',
          tag: 'POST_PURCHASE_UPDATE',
          notification_category: 'shipping',
          message: { text: 'Shipped' },
        },
      });
      expect(shipping.statusCode).toBe(400);
      expect((await notices()).map((n) => n['categories'])).toEqual([['receipts'], ['shipping']]);
      expect((await ask(['receipts'])).statusCode).toBe(200);
      clock.advance(DAY_MS + 1);
      expect((await receipt()).statusCode).toBe(400);
      const all = await notices();
      expect(all).toHaveLength(3);
      // Allow on the notice grants receipts; the next receipt goes out.
      const allowed = await answer(all[2]?.['request_id'] as string, { allow: true });
      expect(allowed.json().status).toBe('allowed');
      expect((await receipt()).statusCode).toBe(200);
    });

    it('cannot be forged: the Send API knows no consent_request template, and another page’s PSID is unknown', async () => {
      await declare();
      const forged = await hub.app.inject({
        method: 'POST',
        url: `/v25.0/me/messages?access_token=${shop.page.page_access_token}`,
        payload: {
          recipient: { id: shop.psid },
          messaging_type: 'RESPONSE',
          message: {
            attachment: {
              type: 'template',
              payload: { template_type: 'consent_request', request_id: 'cr_fake', text: 'Allow?' },
            },
          },
        },
      });
      expect(forged.statusCode).toBe(400);
      const other = await createPage(hub, { name: 'Other' });
      await declareCategory(hub.ctx, { pageId: other.page_id, category: 'receipts', purpose: 'x' });
      const foreign = await ask(['receipts'], other.page_access_token);
      expect(foreign.statusCode).toBe(400);
      expect(foreign.json().error.error_subcode).toBe(2018001);
    });
  });
}

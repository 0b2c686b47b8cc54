import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildGraphFixture, textSend } from '../../../test/contract/graph-fixtures.js';
import { buildTestHub, createPage, openConversation, signUp, DIALECTS, type TestHub } from '../../../test/helpers.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: customer search`, () => {
    let hub: TestHub;
    beforeEach(async () => {
      hub = await buildTestHub({ dialect });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    const pageSend = async (token: string, payload: object) => {
      const res = await hub.app.inject({ method: 'POST', url: `/v25.0/me/messages?access_token=${token}`, payload });
      expect(res.statusCode, res.body).toBe(200);
    };
    const customerSend = async (cookie: string, conversationId: string, text: string) => {
      const res = await hub.app.inject({
        method: 'POST',
        url: `/api/conversations/${conversationId}/messages`,
        headers: { cookie },
        payload: { text },
      });
      expect(res.statusCode, res.body).toBe(201);
    };
    const search = (cookie: string, query: string) =>
      hub.app.inject({ method: 'GET', url: `/api/search?${query}`, headers: { cookie } });

    it('finds every word of the query in messages and templates, across conversations, case- and accent-insensitively, newest first', async () => {
      const bank = await buildGraphFixture(hub);
      const shop = await buildGraphFixture(hub, {
        page: await createPage(hub, { name: 'Shop', category: 'merchant' }),
      });
      // The same customer in both: reuse the bank fixture's customer with the shop.
      const shopConv = await openConversation(hub, bank.customer.cookie, shop.page.page_id);
      await customerSend(bank.customer.cookie, shopConv.id, 'Where is my CAFÉ order?');
      await pageSend(bank.page.page_access_token, textSend(bank.psid, 'Your card payment at Cafe Lumen was declined'));
      await pageSend(bank.page.page_access_token, {
        recipient: { id: bank.psid },
        messaging_type: 'RESPONSE',
        message: {
          attachment: {
            type: 'template',
            payload: {
              template_type: 'button',
              text: 'Was the café payment you?',
              buttons: [{ type: 'postback', title: 'Yes', payload: 'CAFE_PAYMENT_YES' }],
            },
          },
        },
      });
      // URLs and payloads are not what people read: not searched.
      await pageSend(bank.page.page_access_token, {
        recipient: { id: bank.psid },
        messaging_type: 'RESPONSE',
        message: { attachment: { type: 'file', payload: { url: 'https://example.com/cafe-payment-statement.pdf' } } },
      });

      const res = await search(bank.customer.cookie, 'q=cafe%20payment');
      expect(res.statusCode, res.body).toBe(200);
      const hits = res.json().data as Array<{
        conversation_id: string;
        snippet: string;
        direction: string;
        cursor: string;
        mid: string;
      }>;
      expect(hits.map((h) => h.snippet)).toEqual([
        'Was the café payment you? · Yes',
        'Your card payment at Cafe Lumen was declined',
      ]);
      expect(res.json()).toMatchObject({ truncated: false, scan_limit: 2000 });

      const all = (await search(bank.customer.cookie, 'q=caf%C3%A9')).json().data as Array<{
        conversation_id: string;
        snippet: string;
      }>;
      expect(all.map((h) => h.snippet)).toEqual([
        'Was the café payment you? · Yes',
        'Your card payment at Cafe Lumen was declined',
        'Where is my CAFÉ order?',
      ]);
      expect(new Set(all.map((h) => h.conversation_id))).toEqual(new Set([bank.conversationId, shopConv.id]));

      const onlyShop = (await search(bank.customer.cookie, `q=cafe&conversation_id=${shopConv.id}`)).json()
        .data as Array<{ snippet: string }>;
      expect(onlyShop.map((h) => h.snippet)).toEqual(['Where is my CAFÉ order?']);
    });

    it("never finds another customer's messages, and refuses another customer's conversation as unknown", async () => {
      const alice = await buildGraphFixture(hub);
      const bob = await signUp(hub);
      await pageSend(alice.page.page_access_token, textSend(alice.psid, 'secret overdraft notice'));
      expect((await search(bob.cookie, 'q=overdraft')).json().data).toEqual([]);
      const foreign = await search(bob.cookie, `q=overdraft&conversation_id=${alice.conversationId}`);
      expect(foreign.statusCode).toBe(404);
      expect((await search(alice.customer.cookie, 'q=overdraft')).json().data).toHaveLength(1);
    });

    it('gives a cursor that paging reaches, cuts long text around the match, and refuses empty or oversized queries', async () => {
      const fx = await buildGraphFixture(hub);
      await pageSend(
        fx.page.page_access_token,
        textSend(fx.psid, `${'intro words '.repeat(30)}the needle is here ${'and more words '.repeat(30)}`),
      );
      for (let i = 0; i < 5; i++) await pageSend(fx.page.page_access_token, textSend(fx.psid, `later message ${i}`));
      const [hit] = (await search(fx.customer.cookie, 'q=needle')).json().data as Array<{
        cursor: string;
        mid: string;
        snippet: string;
      }>;
      expect(hit?.snippet).toMatch(/^….*the needle is here.*…$/);
      expect(hit?.snippet.length).toBeLessThanOrEqual(122);
      const page = await hub.app.inject({
        method: 'GET',
        url: `/api/conversations/${fx.conversationId}/messages?before=${Number(hit?.cursor) + 1}&limit=1`,
        headers: { cookie: fx.customer.cookie },
      });
      expect(page.json().data[0].mid).toBe(hit?.mid);

      expect((await search(fx.customer.cookie, 'q=%20%20')).statusCode).toBe(400);
      expect((await search(fx.customer.cookie, `q=${'x'.repeat(101)}`)).statusCode).toBe(400);
      expect((await hub.app.inject({ method: 'GET', url: '/api/search?q=needle' })).statusCode).toBe(401);
    });
  });
}

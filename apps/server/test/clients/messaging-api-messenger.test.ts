/**
 * Drives the unmodified npm client `messaging-api-messenger` (Bottender's Messenger client)
 * against a listening hub through its `origin` option, then checks the customer sees what
 * the bot sent through the customer API. Every request carries `appsecret_proof`.
 */
import { verifyWebhookSignature } from '@confide/protocol';
import { MessengerBatch, MessengerClient } from 'messaging-api-messenger';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, DIALECTS, type TestHub } from '../helpers.js';
import { buildGraphFixture, customerMessages, type GraphFixture } from '../contract/graph-fixtures.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: messaging-api-messenger against the hub`, () => {
    let hub: TestHub;
    let fx: GraphFixture;
    let client: MessengerClient;
    let origin: string;
    let receiver: http.Server;
    /** Every webhook POST the bot's endpoint received, with whether both signatures verified. */
    let deliveries: Array<{
      sha1: boolean;
      sha256: boolean;
      body: { entry: Array<{ messaging?: Array<Record<string, unknown>> }> };
    }>;

    beforeEach(async () => {
      hub = await buildTestHub({ dialect });
      origin = await hub.listen();
      fx = await buildGraphFixture(hub, { silent: true });
      deliveries = [];
      const secret = fx.page.app_secret;
      receiver = http.createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (req.method === 'GET') {
          res.end(
            url.searchParams.get('hub.verify_token') === 'verify-me' ? url.searchParams.get('hub.challenge') : 'no',
          );
          return;
        }
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const raw = Buffer.concat(chunks);
          const sha1Only = { 'x-hub-signature': String(req.headers['x-hub-signature'] ?? '') };
          const sha256Only = { 'x-hub-signature-256': String(req.headers['x-hub-signature-256'] ?? '') };
          void Promise.all([
            verifyWebhookSignature(raw, sha1Only, secret),
            verifyWebhookSignature(raw, sha256Only, secret),
          ]).then(([a, b]) => {
            deliveries.push({
              sha1: a.valid && a.algorithm === 'sha1',
              sha256: b.valid && b.algorithm === 'sha256',
              body: JSON.parse(raw.toString('utf8')),
            });
            res.end('EVENT_RECEIVED');
          });
        });
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      const port = (receiver.address() as AddressInfo).port;
      await hub.services.webhooks.subscribe({
        pageId: fx.page.page_id,
        url: `http://127.0.0.1:${port}/webhook`,
        verifyToken: 'verify-me',
      });
      // The customer writes after the subscription: the bot receives it as a signed webhook.
      const said = await hub.app.inject({
        method: 'POST',
        url: `/api/conversations/${fx.conversationId}/messages`,
        headers: { cookie: fx.customer.cookie },
        payload: { text: 'hi' },
      });
      expect(said.statusCode).toBe(201);
      client = new MessengerClient({ accessToken: fx.page.page_access_token, appSecret: fx.page.app_secret, origin });
    });
    afterEach(async () => {
      await hub.dispose();
      await new Promise((r) => receiver.close(r));
    });

    /** Waits until the receiver has seen `n` messaging items; every POST must carry two valid signatures. */
    async function receivedItems(n: number): Promise<Array<Record<string, unknown>>> {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const items = deliveries.flatMap((d) => d.body.entry.flatMap((e) => e.messaging ?? []));
        if (items.length >= n) {
          expect(deliveries.every((d) => d.sha1 && d.sha256)).toBe(true);
          return items;
        }
        if (Date.now() > deadline) throw new Error(`only ${items.length} webhook items arrived`);
        await new Promise((r) => setTimeout(r, 25));
      }
    }

    it('sends text, quick replies and button, generic and receipt templates the customer then sees', async () => {
      const sent = await client.sendText(fx.psid, 'Hello from the bank');
      expect(sent).toEqual({ recipientId: fx.psid, messageId: expect.stringMatching(/^m_/) });
      await client.sendText(fx.psid, 'Pick one', {
        quickReplies: [{ contentType: 'text', title: 'Balance', payload: 'BALANCE' }, { contentType: 'user_email' }],
      });
      await client.sendButtonTemplate(fx.psid, 'What next?', [
        { type: 'postback', title: 'Cards', payload: 'CARDS' },
        { type: 'web_url', title: 'Open app', url: 'https://bank.example/app' },
      ]);
      await client.sendGenericTemplate(fx.psid, [
        {
          title: 'Everyday account',
          subtitle: '•• 1234',
          buttons: [{ type: 'postback', title: 'Details', payload: 'ACC_1234' }],
        },
        { title: 'Savings', imageUrl: 'https://bank.example/savings.png' },
      ]);
      await client.sendReceiptTemplate(fx.psid, {
        recipientName: 'Ada Lovelace',
        orderNumber: '12345678902',
        currency: 'USD',
        paymentMethod: 'Visa 2345',
        timestamp: '1428444852',
        elements: [{ title: 'Coffee', price: 4.5, quantity: 1 }],
        address: { street1: '1 Hacker Way', city: 'Menlo Park', postalCode: '94025', state: 'CA', country: 'US' },
        summary: { subtotal: 4.5, totalTax: 0.5, totalCost: 5 },
      });

      const outgoing = (await customerMessages(hub, fx)).filter((m) => m.direction === 'out').map((m) => m.body);
      expect(outgoing).toHaveLength(5);
      // The bot's endpoint got the customer's message and an echo of each of its five sends, every POST signed twice.
      const items = await receivedItems(6);
      expect(items[0]).toMatchObject({ sender: { id: fx.psid }, message: { text: 'hi' } });
      expect(items.slice(1).every((i) => (i['message'] as { is_echo?: boolean } | undefined)?.is_echo === true)).toBe(
        true,
      );
      expect(outgoing[0]).toEqual({ text: 'Hello from the bank' });
      expect(outgoing[1]).toEqual({
        text: 'Pick one',
        quick_replies: [{ content_type: 'text', title: 'Balance', payload: 'BALANCE' }, { content_type: 'user_email' }],
      });
      expect(outgoing[2]).toMatchObject({
        attachment: { type: 'template', payload: { template_type: 'button', text: 'What next?' } },
      });
      expect(outgoing[3]).toMatchObject({
        attachment: {
          type: 'template',
          // Images reach the customer as links to the hub's image proxy.
          payload: {
            template_type: 'generic',
            elements: [
              { title: 'Everyday account' },
              {
                image_url: expect.stringMatching(
                  /^\/api\/media\/image\?url=https%3A%2F%2Fbank\.example%2Fsavings\.png&sig=/,
                ),
              },
            ],
          },
        },
      });
      expect(outgoing[4]).toMatchObject({
        attachment: {
          type: 'template',
          payload: {
            template_type: 'receipt',
            order_number: '12345678902',
            address: { street_1: '1 Hacker Way' },
            summary: { total_cost: 5 },
          },
        },
      });
    });

    it('sends sender actions: typing on/off and mark seen', async () => {
      expect(await client.sendSenderAction(fx.psid, 'typing_on')).toEqual({ recipientId: fx.psid });
      expect(await client.typingOn(fx.psid)).toEqual({ recipientId: fx.psid });
      expect(await client.typingOff(fx.psid)).toEqual({ recipientId: fx.psid });
      expect(await client.markSeen(fx.psid)).toEqual({ recipientId: fx.psid });
      const conv = await hub.app.inject({
        method: 'GET',
        url: `/api/conversations/${fx.conversationId}`,
        headers: { cookie: fx.customer.cookie },
      });
      expect(conv.json().page_read_watermark).toBeGreaterThan(0);
    });

    it('sets and reads the Messenger Profile', async () => {
      expect(
        await client.setMessengerProfile({
          getStarted: { payload: 'GET_STARTED' },
          greeting: [{ locale: 'default', text: 'Welcome to the bank' }],
        }),
      ).toEqual({ result: 'success' });
      expect(await client.getMessengerProfile(['get_started', 'greeting'])).toEqual([
        { getStarted: { payload: 'GET_STARTED' }, greeting: [{ locale: 'default', text: 'Welcome to the bank' }] },
      ]);
      expect(await client.getGetStarted()).toEqual({ payload: 'GET_STARTED' });
      await client.deleteGetStarted();
      expect(await client.getGetStarted()).toBeNull();
    });

    it('passes the thread to the page inbox, reads the owner, takes it back', async () => {
      expect(await client.passThreadControlToPageInbox(fx.psid, 'needs a human')).toEqual({ success: true });
      expect(await client.getThreadOwner(fx.psid)).toEqual({ appId: '263902037430900' });
      await expect(client.sendText(fx.psid, 'bot while agents own the thread')).rejects.toThrow(
        /Messenger API - 2018300/,
      );
      expect(await client.takeThreadControl(fx.psid, 'bot again')).toEqual({ success: true });
      expect(await client.getThreadOwner(fx.psid)).toEqual({ appId: fx.page.app_id });
      expect(await client.passThreadControl(fx.psid, 263902037430900, 'again')).toEqual({ success: true });
      expect(await client.getSecondaryReceivers()).toEqual([{ id: '263902037430900', name: 'Page Inbox' }]);
    });

    it('surfaces Graph errors the way the client parses them, refuses a wrong app secret, and runs a batch', async () => {
      await expect(client.sendText('1000000000000001', 'nobody')).rejects.toThrow(
        /Messenger API - 100 OAuthException \(#100\) No matching user found/,
      );
      const results = await client.sendBatch([
        MessengerBatch.sendText(fx.psid, 'batched 1'),
        MessengerBatch.sendText(fx.psid, 'batched 2'),
      ]);
      expect(results.map((r: { code: number }) => r.code)).toEqual([200, 200]);
      expect((await customerMessages(hub, fx)).filter((m) => m.direction === 'out').map((m) => m.body['text'])).toEqual(
        ['batched 1', 'batched 2'],
      );
      const wrongSecret = new MessengerClient({
        accessToken: fx.page.page_access_token,
        appSecret: 'not-the-secret',
        origin,
      });
      await expect(wrongSecret.sendText(fx.psid, 'forged')).rejects.toThrow(/Messenger API - 190 OAuthException/);
      const noProof = new MessengerClient({ accessToken: fx.page.page_access_token, origin, version: '2.6' });
      expect(await noProof.getPageInfo()).toEqual({ name: expect.any(String), id: fx.page.page_id });
    });
  });
}

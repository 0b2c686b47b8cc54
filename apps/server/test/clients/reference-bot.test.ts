/**
 * A bot written the way Meta's reference bots are (./reference-bot/bot.ts: plain fetch, no
 * messaging_type, empty JSON bodies with query parameters, webhook set up with the app token
 * through POST /{app-id}/subscriptions, a menu with 30-character titles in 18 locales, Get
 * Started and a greeting) sets itself up from code against a listening hub; a customer on the
 * stream sees the profile in their locale, and every reply to Get Started, a quick reply, a
 * text and a menu tap reaches them. Runs on both dialects.
 */
import type { ServerFrame } from '@confide/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildTestHub, createPage, DIALECTS, openConversation, signUp, type TestHub } from '../helpers.js';
import { MENU_TITLES, startReferenceBot, type ReferenceBot } from './reference-bot/bot.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: a Meta-style reference bot against the hub`, () => {
    let hub: TestHub;
    let bot: ReferenceBot;
    let origin: string;

    beforeEach(async () => {
      hub = await buildTestHub({ dialect, env: { WEBHOOK_POLL_MS: '50' } });
      origin = await hub.listen();
    });
    afterEach(async () => {
      await bot?.close();
      await hub.dispose();
    });

    it('sets up webhook, subscription, NLP and an 18-locale profile from code; every reply reaches the customer', async () => {
      const page = await createPage(hub, { name: 'Reference Bank' });
      bot = await startReferenceBot({
        graphOrigin: origin,
        appId: page.app_id,
        appSecret: page.app_secret,
        pageAccessToken: page.page_access_token,
        verifyToken: 'reference-verify',
      });
      await bot.setUp();
      expect(await hub.services.webhooks.status(page.page_id)).toMatchObject({
        callback_url: bot.callbackUrl,
        status: 'active',
        fields: ['messages', 'messaging_postbacks', 'messaging_optins', 'message_deliveries', 'messaging_referrals'],
      });

      // The customer opens the conversation and sees the profile in German.
      const customer = await signUp(hub);
      const conv = await openConversation(hub, customer.cookie, page.page_id);
      const profile = await hub.app.inject({
        method: 'GET',
        url: `/api/conversations/${conv.id}/profile?locale=de_DE`,
        headers: { cookie: customer.cookie },
      });
      expect(profile.json()).toMatchObject({
        get_started: { payload: 'GET_STARTED' },
        greeting: `Hi ${customer.username}! ${MENU_TITLES['de_DE']?.balance}?`,
        persistent_menu: {
          items: [
            { type: 'postback', title: 'Kontostand und Umsätze ansehen', payload: 'BALANCE' },
            { type: 'postback', title: MENU_TITLES['de_DE']?.help, payload: 'HELP' },
          ],
        },
      });

      const frames: ServerFrame[] = [];
      const ws = new WebSocket(`${origin.replace('http://', 'ws://')}/api/stream`, {
        headers: { cookie: customer.cookie },
      });
      ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as ServerFrame));
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      const botTexts = () =>
        frames.flatMap((f) =>
          f.type === 'message' && f.message.direction === 'out' ? [f.message.body.text ?? ''] : [],
        );
      const waitForReplies = async (n: number) => {
        const deadline = Date.now() + 10_000;
        while (botTexts().length < n) {
          if (Date.now() > deadline)
            throw new Error(`only ${botTexts().length} replies reached the customer: ${JSON.stringify(bot.sent)}`);
          await new Promise((r) => setTimeout(r, 25));
        }
      };
      const customerSends = (body: object) =>
        hub.app.inject({
          method: 'POST',
          url: `/api/conversations/${conv.id}/messages`,
          headers: { cookie: customer.cookie },
          payload: body,
        });

      expect((await customerSends({ postback: { payload: 'GET_STARTED', title: 'Get Started' } })).statusCode).toBe(
        201,
      );
      await waitForReplies(1);
      expect((await customerSends({ quick_reply: { payload: 'YES', title: 'Yes please' } })).statusCode).toBe(201);
      await waitForReplies(2);
      expect((await customerSends({ text: 'Grüß Gott' })).statusCode).toBe(201);
      await waitForReplies(3);
      expect(
        (await customerSends({ postback: { payload: 'BALANCE', title: 'Kontostand und Umsätze ansehen' } })).statusCode,
      ).toBe(201);
      await waitForReplies(4);
      ws.close();

      expect(botTexts()).toEqual([
        'Welcome! Shall I show your balance?',
        'Great, here is your balance: 1,234.56 EUR',
        'You said: "Grüß Gott"',
        'Menu: BALANCE',
      ]);
      // Every Send API call (no messaging_type anywhere) was accepted, and every webhook verified.
      expect(bot.sent.every((s) => s.status === 200)).toBe(true);
      expect(bot.sent.every((s) => !JSON.stringify(s.request).includes('messaging_type'))).toBe(true);
      expect(bot.badSignatures).toBe(0);
    });
  });
}

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildTestHub,
  createPage,
  DIALECTS,
  openConversation,
  signUp,
  testClock,
  type TestClock,
  type TestHub,
} from '../../../test/helpers.js';
import { DAY_MS } from './categories.js';
import { LET_EXPIRE_PAYLOAD, RENEW_PAYLOAD } from './reminders.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: consent expiry reminders`, () => {
    let hub: TestHub;
    let clock: TestClock;
    beforeEach(async () => {
      clock = testClock();
      // No worker: outbox rows stay put, and no background sweep runs.
      hub = await buildTestHub({ dialect, clock, env: { SERVICES: 'api,realtime' } });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    async function setup() {
      const alice = await signUp(hub);
      const bank = await createPage(hub, {
        name: 'Remind Bank',
        webhookUrl: 'http://127.0.0.1:9/hook',
        verifyToken: 'v',
      });
      await hub.services.consents.declare(bank.page_id, 'fraud_alerts', 'Unusual card payments.');
      const conv = await openConversation(hub, alice.cookie, bank.page_id);
      const put = await hub.app.inject({
        method: 'PUT',
        url: `/api/privacy/businesses/${bank.page_id}/consent`,
        headers: { cookie: alice.cookie },
        payload: { categories: ['fraud_alerts'], duration_days: 20 },
      });
      expect(put.statusCode).toBe(200);
      const grantedAt = clock.now();
      const say = (title: string, payload: string) =>
        hub.app.inject({
          method: 'POST',
          url: `/api/conversations/${conv.id}/messages`,
          headers: { cookie: alice.cookie },
          payload: { quick_reply: { title, payload } },
        });
      const outbox = async () =>
        (await hub.ctx.storage.db.selectFrom('webhook_outbox').select('field').execute()).map((r) => r.field);
      const messages = async () =>
        (
          await hub.app.inject({
            method: 'GET',
            url: `/api/conversations/${conv.id}/messages`,
            headers: { cookie: alice.cookie },
          })
        ).json().data as Array<{
          direction: string;
          body: { text?: string; quick_replies?: Array<{ title: string; payload: string }> };
        }>;
      /** The payloads of the newest reminder's buttons. */
      const buttons = async () => {
        const reminder = (await messages()).find((m) => m.body.quick_replies !== undefined);
        const [renew, letExpire] = reminder?.body.quick_replies?.map((q) => q.payload) ?? [];
        return { renew: renew ?? '', letExpire: letExpire ?? '' };
      };
      const ledger = async () =>
        (await hub.ctx.storage.db.selectFrom('consent_ledger').select('event').orderBy('seq').execute()).map(
          (r) => r.event,
        );
      return { alice, bank, conv, grantedAt, say, outbox, messages, buttons, ledger };
    }

    it('posts one reminder 14 days before expiry, with reserved quick replies, and tells the business nothing', async () => {
      const s = await setup();
      clock.advance(6 * DAY_MS - 1);
      expect(await hub.services.consents.sweep()).toEqual({ expired: 0, reminded: 0 });
      clock.advance(1);
      expect(await hub.services.consents.sweep()).toEqual({ expired: 0, reminded: 1 });
      expect(await hub.services.consents.sweep()).toEqual({ expired: 0, reminded: 0 });
      const [reminder] = await s.messages();
      expect(reminder?.direction).toBe('out');
      expect(reminder?.body.text).toContain('Remind Bank');
      const replies = reminder?.body.quick_replies ?? [];
      expect(replies.map((q) => q.title)).toEqual(['Renew', 'Let it expire']);
      // Each button carries the action and the reminder's single-use token.
      const [renew, letExpire] = replies.map((q) => q.payload);
      expect(renew).toMatch(new RegExp(`^${RENEW_PAYLOAD}:[A-Za-z0-9_-]{32}$`));
      expect(letExpire).toBe(`${LET_EXPIRE_PAYLOAD}:${renew?.split(':')[1]}`);
      expect(await s.outbox()).toEqual([]);
    });

    it('renews from the chat without forwarding the answer or opening the window', async () => {
      const s = await setup();
      clock.advance(6 * DAY_MS);
      await hub.services.consents.sweep();
      const { renew } = await s.buttons();
      const answer = await s.say('Renew', renew);
      expect(answer.statusCode).toBe(201);
      expect(answer.json()).toMatchObject({ direction: 'in', body: { quick_reply: { payload: renew } } });
      expect(await s.outbox()).toEqual([]);
      const conv = await hub.ctx.storage.db
        .selectFrom('conversations')
        .select('last_customer_message_at')
        .executeTakeFirstOrThrow();
      expect(conv.last_customer_message_at).toBeNull();

      const ledger = (
        await hub.app.inject({ method: 'GET', url: '/api/privacy/ledger', headers: { cookie: s.alice.cookie } })
      ).json().data;
      expect(ledger[0]).toMatchObject({
        event: 'renewed',
        source: 'reminder',
        categories: ['fraud_alerts'],
        expires_at: clock.now() + 365 * DAY_MS,
      });
      expect((await s.messages())[0]?.body.text).toMatch(/renewed until/);

      // An ordinary quick reply still reaches the business.
      await s.say('Yes', 'BANK_YES');
      expect(await s.outbox()).toEqual(['messages']);
    });

    it('"Let it expire" changes nothing, and the grant lapses on time', async () => {
      const s = await setup();
      clock.advance(6 * DAY_MS);
      await hub.services.consents.sweep();
      await s.say('Let it expire', (await s.buttons()).letExpire);
      expect(await s.outbox()).toEqual([]);
      expect(await hub.ctx.storage.db.selectFrom('consent_ledger').select('event').execute()).toEqual([
        { event: 'granted' },
      ]);
      clock.set(s.grantedAt + 20 * DAY_MS);
      expect(await hub.services.consents.sweep()).toEqual({ expired: 1, reminded: 0 });
    });

    it('a forged, replayed or stale reminder button does nothing (and is not forwarded)', async () => {
      const s = await setup();
      clock.advance(6 * DAY_MS);
      await hub.services.consents.sweep();
      const { renew, letExpire } = await s.buttons();
      const token = renew.split(':')[1] ?? '';
      const forged = [
        RENEW_PAYLOAD,
        `${RENEW_PAYLOAD}:`,
        `${RENEW_PAYLOAD}:${'A'.repeat(32)}`,
        `${RENEW_PAYLOAD}:${token}x`,
      ];
      for (const payload of forged) {
        expect((await s.say('Renew', payload)).statusCode).toBe(201);
        expect((await s.messages())[0]?.body.text).toMatch(/not valid/);
      }
      expect(await s.ledger()).toEqual(['granted']);
      // The genuine token works once; "Let it expire" shares it, so it is spent too.
      await s.say('Renew', renew);
      expect(await s.ledger()).toEqual(['granted', 'renewed']);
      await s.say('Renew', renew);
      await s.say('Let it expire', letExpire);
      expect(await s.ledger()).toEqual(['granted', 'renewed']);
      expect((await s.messages())[0]?.body.text).toMatch(/not valid/);
      expect(await s.outbox()).toEqual([]);
    });

    it("a reminder's token is bound to its grant and its customer", async () => {
      const s = await setup();
      clock.advance(6 * DAY_MS);
      await hub.services.consents.sweep();
      const { renew } = await s.buttons();
      // Another customer of the same page cannot use it.
      const bob = await signUp(hub);
      const bobConv = await openConversation(hub, bob.cookie, s.bank.page_id);
      await hub.app.inject({
        method: 'PUT',
        url: `/api/privacy/businesses/${s.bank.page_id}/consent`,
        headers: { cookie: bob.cookie },
        payload: { categories: ['fraud_alerts'], duration_days: 20 },
      });
      await hub.app.inject({
        method: 'POST',
        url: `/api/conversations/${bobConv.id}/messages`,
        headers: { cookie: bob.cookie },
        payload: { quick_reply: { title: 'Renew', payload: renew } },
      });
      expect(await s.ledger()).toEqual(['granted', 'granted']);
      // Once the grant changed (renewed in Privacy), the old reminder no longer acts.
      const put = await hub.app.inject({
        method: 'PUT',
        url: `/api/privacy/businesses/${s.bank.page_id}/consent`,
        headers: { cookie: s.alice.cookie },
        payload: { categories: ['fraud_alerts'], duration_days: 30 },
      });
      expect(put.statusCode).toBe(200);
      const before = await s.ledger();
      await s.say('Renew', renew);
      expect(await s.ledger()).toEqual(before);
    });
  });
}

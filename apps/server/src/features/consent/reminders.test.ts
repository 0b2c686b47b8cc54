import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, createPage, DIALECTS, openConversation, signUp, testClock, type TestClock, type TestHub } from '../../../test/helpers.js';
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
      const bank = await createPage(hub, { name: 'Remind Bank', webhookUrl: 'http://127.0.0.1:9/hook', verifyToken: 'v' });
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
      const outbox = async () => (await hub.ctx.storage.db.selectFrom('webhook_outbox').select('field').execute()).map((r) => r.field);
      const messages = async () =>
        (await hub.app.inject({ method: 'GET', url: `/api/conversations/${conv.id}/messages`, headers: { cookie: alice.cookie } })).json().data as Array<{
          direction: string;
          body: { text?: string; quick_replies?: Array<{ title: string; payload: string }> };
        }>;
      return { alice, bank, conv, grantedAt, say, outbox, messages };
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
      expect(reminder?.body.quick_replies?.map((q) => [q.title, q.payload])).toEqual([
        ['Renew', RENEW_PAYLOAD],
        ['Let it expire', LET_EXPIRE_PAYLOAD],
      ]);
      expect(await s.outbox()).toEqual([]);
    });

    it('renews from the chat without forwarding the answer or opening the window', async () => {
      const s = await setup();
      clock.advance(6 * DAY_MS);
      await hub.services.consents.sweep();
      const answer = await s.say('Renew', RENEW_PAYLOAD);
      expect(answer.statusCode).toBe(201);
      expect(answer.json()).toMatchObject({ direction: 'in', body: { quick_reply: { payload: RENEW_PAYLOAD } } });
      expect(await s.outbox()).toEqual([]);
      const conv = await hub.ctx.storage.db.selectFrom('conversations').select('last_customer_message_at').executeTakeFirstOrThrow();
      expect(conv.last_customer_message_at).toBeNull();

      const ledger = (await hub.app.inject({ method: 'GET', url: '/api/privacy/ledger', headers: { cookie: s.alice.cookie } })).json().data;
      expect(ledger[0]).toMatchObject({ event: 'renewed', source: 'reminder', categories: ['fraud_alerts'], expires_at: clock.now() + 365 * DAY_MS });
      expect((await s.messages())[0]?.body.text).toMatch(/renewed until/);

      // An ordinary quick reply still reaches the business.
      await s.say('Yes', 'BANK_YES');
      expect(await s.outbox()).toEqual(['messages']);
    });

    it('"Let it expire" changes nothing, and the grant lapses on time', async () => {
      const s = await setup();
      clock.advance(6 * DAY_MS);
      await hub.services.consents.sweep();
      await s.say('Let it expire', LET_EXPIRE_PAYLOAD);
      expect(await s.outbox()).toEqual([]);
      expect(await hub.ctx.storage.db.selectFrom('consent_ledger').select('event').execute()).toEqual([{ event: 'granted' }]);
      clock.set(s.grantedAt + 20 * DAY_MS);
      expect(await hub.services.consents.sweep()).toEqual({ expired: 1, reminded: 0 });
    });
  });
}

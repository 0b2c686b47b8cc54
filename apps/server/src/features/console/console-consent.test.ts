import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildTestHub,
  DIALECTS,
  openConversation,
  signUp,
  testClock,
  type TestClock,
  type TestHub,
} from '../../../test/helpers.js';

const PASSWORD = 'owner password 1';
const DAY = 24 * 3_600_000;

for (const dialect of DIALECTS) {
  describe(`${dialect}: console consent declarations and statistics`, () => {
    let hub: TestHub;
    let clock: TestClock;

    beforeEach(async () => {
      clock = testClock();
      hub = await buildTestHub({ dialect, clock, env: { SERVICES: 'api,realtime' } });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    async function member(username: string, org?: string): Promise<string> {
      if (org !== undefined)
        await hub.services.console.members.createOrganisation({ name: org, username, password: PASSWORD }, 'operator');
      const res = await hub.app.inject({
        method: 'POST',
        url: '/console/api/login',
        payload: { username, password: PASSWORD },
      });
      return `confide_console=${res.cookies.find((c) => c.name === 'confide_console')?.value}`;
    }
    const call = (method: 'GET' | 'PUT' | 'POST', url: string, cookie: string, payload?: object) =>
      hub.app.inject({ method, url, headers: { cookie }, ...(payload === undefined ? {} : { payload }) });

    it('declares categories with the text customers read; refuses markup, unknown categories and viewers', async () => {
      const owner = await member('stat-owner', 'Stat Bank');
      const invite = (await call('POST', '/console/api/invites', owner, { role: 'viewer' })).json();
      await hub.app.inject({
        method: 'POST',
        url: '/console/api/invites/accept',
        payload: { code: invite.code, username: 'stat-viewer', password: PASSWORD },
      });
      const viewer = await member('stat-viewer');
      const page = (await call('POST', '/console/api/pages', owner, { name: 'Stat Bank', category: 'bank' })).json();
      const declare = (cookie: string, category: string, purpose: string) =>
        call('PUT', `/console/api/pages/${page.id}/declarations/${category}`, cookie, { purpose });

      expect((await declare(owner, 'fraud_alerts', 'An alert when a payment looks unusual.')).json().data).toEqual([
        { category: 'fraud_alerts', purpose: 'An alert when a payment looks unusual.' },
      ]);
      expect((await declare(owner, 'balances', '<b onclick="x()">Balances</b>')).statusCode).toBe(400);
      expect((await declare(owner, 'horoscopes', 'Daily stars')).statusCode).toBe(400);
      expect((await declare(viewer, 'balances', 'Your balance')).statusCode).toBe(403);
      // The consent screen shows exactly what the console declared.
      expect((await call('GET', `/console/api/pages/${page.id}/declarations`, viewer)).json().data).toEqual([
        { category: 'fraud_alerts', purpose: 'An alert when a payment looks unusual.' },
      ]);
      const customer = await signUp(hub);
      await openConversation(hub, customer.cookie, page.id);
      const shown = await hub.app.inject({
        method: 'GET',
        url: '/api/privacy/businesses',
        headers: { cookie: customer.cookie },
      });
      expect(shown.body).toContain('An alert when a payment looks unusual.');
    });

    it('counts grants, revocations, expiries and refused sends by category, and never says who', async () => {
      const owner = await member('stat-owner', 'Stat Bank');
      const page = (await call('POST', '/console/api/pages', owner, { name: 'Stat Bank', category: 'bank' })).json();
      for (const [category, purpose] of [
        ['fraud_alerts', 'Unusual payments'],
        ['transactions', 'Each card payment'],
        ['balances', 'Your balance'],
      ] as const) {
        await call('PUT', `/console/api/pages/${page.id}/declarations/${category}`, owner, { purpose });
      }
      const people = [];
      for (let i = 0; i < 3; i++) {
        const c = await signUp(hub);
        const conv = await openConversation(hub, c.cookie, page.id);
        const psid = (
          await hub.ctx.storage.db
            .selectFrom('conversations')
            .select('psid')
            .where('id', '=', conv.id)
            .executeTakeFirstOrThrow()
        ).psid;
        people.push({ ...c, conversationId: conv.id, psid });
      }
      const [alice, bob, carol] = people as [(typeof people)[number], (typeof people)[number], (typeof people)[number]];
      await hub.services.consents.set(carol.id, page.id, ['balances'], 1);
      clock.advance(2 * DAY);
      await hub.services.consents.set(alice.id, page.id, ['fraud_alerts', 'transactions']);
      await hub.services.consents.set(bob.id, page.id, ['fraud_alerts']);
      await hub.services.consents.revoke(bob.id, page.id);

      const alert = (psid: string) =>
        hub.app.inject({
          method: 'POST',
          url: `/v25.0/me/messages?access_token=${page.page_access_token}`,
          payload: {
            recipient: { id: psid },
            messaging_type: 'MESSAGE_TAG',
            tag: 'ACCOUNT_UPDATE',
            notification_category: 'fraud_alerts',
            message: { text: 'Was this you?' },
          },
        });
      expect((await alert(alice.psid)).statusCode).toBe(200);
      expect((await alert(bob.psid)).statusCode).toBe(400);
      expect((await alert(carol.psid)).statusCode).toBe(400);

      const res = await call('GET', `/console/api/pages/${page.id}/consent-stats`, owner);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        granted: 1,
        revoked: 1,
        expired: 1,
        refused_sends: 2,
        by_category: [
          { category: 'balances', granted: 0, refused_sends: 0 },
          { category: 'transactions', granted: 1, refused_sends: 0 },
          { category: 'fraud_alerts', granted: 1, refused_sends: 2 },
        ],
      });
      // No identifier of a customer in any statistics or declarations answer.
      const answers = [res.body, (await call('GET', `/console/api/pages/${page.id}/declarations`, owner)).body];
      for (const p of people) {
        for (const id of [p.id, p.username, p.psid, p.conversationId])
          for (const body of answers) expect(body).not.toContain(id);
      }
      // The same counter /metrics exposes.
      const metrics = await hub.app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toMatch(
        new RegExp(
          `confide_consent_refusals_total\\{page_id="${page.id}",category="fraud_alerts",reason="[a-z_]+"\\} 1`,
        ),
      );
    });
  });
}

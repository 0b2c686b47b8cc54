/**
 * The customer's export (GET /api/privacy/export, `confide export`): profile,
 * conversations with messages, consents and the access log; exporting is audited.
 * Card numbers are masked before storage, in the chat, the export and the webhook.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, DIALECTS, testClock, type TestHub } from '../helpers.js';
import { businessSendsTemplate, customerSays, scene } from './fixtures.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: export and masking`, () => {
    let hub: TestHub;
    beforeEach(async () => {
      hub = await buildTestHub({ dialect, clock: testClock(), env: { SERVICES: 'api,realtime' } });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    it('exports profile, conversations with messages, consents and the access log', async () => {
      const s = await scene(hub);
      await customerSays(hub, s, 'where is my statement?');
      await businessSendsTemplate(hub, s, 'EXPORTED');
      await hub.app.inject({
        method: 'GET',
        url: `/api/conversations/${s.conversationId}/messages`,
        headers: { cookie: s.customer.cookie },
      });
      const other = await scene(hub);
      await customerSays(hub, other, 'not mine');

      expect((await hub.app.inject({ method: 'GET', url: '/api/privacy/export' })).statusCode).toBe(401);
      const res = await hub.app.inject({
        method: 'GET',
        url: '/api/privacy/export',
        headers: { cookie: s.customer.cookie },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-disposition']).toMatch(/attachment/);
      const data = res.json();
      expect(data.profile).toEqual({
        id: s.customer.id,
        username: s.customer.username,
        created_at: expect.any(Number),
        last_name: null,
        locale: null,
        timezone: null,
        picture: null,
      });
      expect(data.profile_sharing).toEqual([]);
      expect(data.conversations).toHaveLength(1);
      expect(data.conversations[0]).toMatchObject({ id: s.conversationId, page: { id: s.page.page_id }, psid: s.psid });
      expect(data.conversations[0].messages.map((m: { direction: string }) => m.direction)).toEqual(['in', 'out']);
      expect(data.conversations[0].messages[0].body).toEqual({ text: 'where is my statement?' });
      expect(JSON.stringify(data.conversations[0].messages[1].body)).toContain('EXPORTED');
      expect(JSON.stringify(data)).not.toContain('not mine');
      expect(data.consents).toEqual({
        current: expect.any(Array),
        ledger: expect.any(Array),
        receipts: expect.any(Array),
      });
      const actions = data.access_log.map(
        (r: { action: string; purpose: string | null }) => `${r.action}:${r.purpose ?? ''}`,
      );
      expect(actions).toContain('content.access:deliver_to_customer');
      expect(data.access_log.every((r: { actor: string }) => typeof r.actor === 'string')).toBe(true);

      await hub.services.privacy.flush();
      const audited = await hub.ctx.storage.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'customer.export')
        .execute();
      expect(audited).toMatchObject([
        { customer_id: s.customer.id, purpose: 'customer_export', actor: `customer:${s.customer.id}` },
      ]);
      // The export's own decryptions are accesses for customer_export.
      const exportAccess = await hub.ctx.storage.db
        .selectFrom('audit_log')
        .selectAll()
        .where('purpose', '=', 'customer_export')
        .where('action', '=', 'content.access')
        .execute();
      expect(exportAccess.length).toBeGreaterThan(0);
    });

    it('confide export by username returns the same document', async () => {
      const s = await scene(hub);
      await customerSays(hub, s, 'via cli');
      const data = await hub.services.privacy.exportByUsername(s.customer.username);
      expect(data.profile.id).toBe(s.customer.id);
      expect(data.conversations[0]?.messages[0]?.body).toEqual({ text: 'via cli' });
    });

    it('masks a card number before storage: chat, export and webhook keep the last four only', async () => {
      const s = await scene(hub);
      await customerSays(hub, s, 'my card 4111 1111 1111 1111 was stolen');
      const view = await hub.app.inject({
        method: 'GET',
        url: `/api/conversations/${s.conversationId}/messages`,
        headers: { cookie: s.customer.cookie },
      });
      expect(view.json().data[0].body.text).toBe('my card **** **** **** 1111 was stolen');
      const data = await hub.services.privacy.exportCustomer(s.customer.id);
      expect(JSON.stringify(data)).not.toContain('4111 1111 1111 1111');
      const outbox = await hub.ctx.storage.db.selectFrom('webhook_outbox').select('payload').executeTakeFirstOrThrow();
      const item = await hub.ctx.storage.vault.openPayload(
        { purpose: 'deliver_to_business', actor: 'test' },
        s.customer.id,
        outbox.payload,
      );
      expect(item).toMatchObject({ message: { text: 'my card **** **** **** 1111 was stolen' } });
    });
  });
}

/**
 * The audit log: content accesses (with purpose and actor), agent views, consent events,
 * tokens, webhook settings, exports and erasures are recorded by id; the chain and its
 * signed checkpoints verify; editing, deleting or reordering any record is caught at
 * that record.
 */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { hashRecord } from '../../src/privacy/audit-log.js';
import { buildTestHub, DIALECTS, testClock, type TestHub } from '../helpers.js';
import { businessSendsTemplate, customerSays, customerView, scene } from './fixtures.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: audit log`, () => {
    let hub: TestHub;
    beforeEach(async () => {
      hub = await buildTestHub({ dialect, clock: testClock(), env: { SERVICES: 'api,realtime' } });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    /** A log with accesses, consent, tokens and webhook records, flushed and checkpointed. */
    async function populate() {
      const s = await scene(hub);
      await customerSays(hub, s, 'CANARY-AUDIT');
      await businessSendsTemplate(hub, s, 'CANARY-AUDIT-T');
      await customerView(hub, s);
      const token = await hub.services.pages.issueToken(s.page.page_id);
      await hub.services.pages.revokeToken(s.page.page_id, token.token_id);
      await hub.services.consents.declare(s.page.page_id, 'fraud_alerts', 'Alerts about suspicious card payments');
      await hub.services.consents.set(s.customer.id, s.page.page_id, ['fraud_alerts'], 30);
      const agent = await hub.services.agents.create({
        pageId: s.page.page_id,
        username: `agent${s.customer.id.slice(-6)}`,
        password: 'agent password 1',
        displayName: 'Ada',
      });
      // What the inbox writes when an agent opens a conversation (features/inbox).
      await hub.ctx.storage.writes.run((tx) =>
        tx.db
          .insertInto('agent_views')
          .values({ agent_id: agent.id, conversation_id: s.conversationId, viewed_at: hub.ctx.now() })
          .execute(),
      );
      await hub.services.privacy.flush();
      await hub.services.privacy.checkpoint();
      return s;
    }

    const records = () => hub.ctx.storage.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();

    it('records accesses with purpose and actor, tokens and webhook settings, by id only; verifies', async () => {
      const s = await populate();
      const rows = await records();
      const actions = rows.map((r) => r.action);
      expect(actions).toContain('content.access');
      expect(actions).toContain('token.created');
      expect(actions).toContain('token.revoked');
      expect(actions).toContain('webhook.config');
      expect(rows.find((r) => r.action === 'consent.granted')).toMatchObject({
        actor: `customer:${s.customer.id}`,
        customer_id: s.customer.id,
        target: `page:${s.page.page_id}`,
      });
      expect(rows.find((r) => r.action === 'agent.view')).toMatchObject({
        customer_id: s.customer.id,
        target: `conversation:${s.conversationId}`,
        purpose: 'agent_support',
      });
      // Each source row is audited once, however often the collector runs.
      await hub.services.privacy.flush();
      await hub.services.privacy.flush();
      const again = await records();
      // The page's first token and the one issued later; one revocation, grant and view.
      const expected: Record<string, number> = {
        'token.created': 2,
        'token.revoked': 1,
        'consent.granted': 1,
        'agent.view': 1,
      };
      for (const [action, n] of Object.entries(expected))
        expect(
          again.filter((r) => r.action === action),
          action,
        ).toHaveLength(n);
      const access = rows.find((r) => r.action === 'content.access' && r.actor === `customer:${s.customer.id}`);
      expect(access).toMatchObject({
        purpose: 'deliver_to_customer',
        customer_id: s.customer.id,
        target: `conversation:${s.conversationId}`,
      });
      expect(JSON.stringify(rows)).not.toContain('CANARY');
      expect(JSON.stringify(rows)).not.toContain('127.0.0.1:9');
      expect(await hub.services.privacy.verify()).toMatchObject({ ok: true, records: rows.length, checkpoints: 1 });
    });

    it('audits and refuses a decryption without an allowed purpose', async () => {
      const s = await scene(hub);
      await customerSays(hub, s, 'x');
      const row = await hub.ctx.storage.db.selectFrom('messages').select('body').executeTakeFirstOrThrow();
      const sneaky = { purpose: 'advertising', actor: 'app:1' } as unknown as Parameters<
        typeof hub.ctx.storage.vault.openMessage
      >[0];
      await expect(hub.ctx.storage.vault.openMessage(sneaky, s.customer.id, row.body)).rejects.toThrow(/not allowed/);
      await hub.services.privacy.flush();
      const denied = (await records()).filter((r) => r.action === 'content.denied');
      expect(denied).toMatchObject([{ actor: 'app:1', purpose: 'advertising', customer_id: s.customer.id }]);
    });

    it('keeps accesses whose flush failed and records them with the next one', async () => {
      const s = await scene(hub);
      await customerSays(hub, s, 'x');
      await hub.services.privacy.flush();
      const row = await hub.ctx.storage.db.selectFrom('messages').select('body').executeTakeFirstOrThrow();
      const open = () =>
        hub.ctx.storage.vault.openMessage({ purpose: 'customer_export', actor: 'test:retry' }, s.customer.id, row.body);
      await open();
      await open();
      vi.spyOn(hub.ctx.storage.writes, 'run').mockRejectedValueOnce(new Error('database unavailable'));
      await expect(hub.services.privacy.flush()).rejects.toThrow('database unavailable');
      await open();
      await hub.services.privacy.flush();
      const exports = (await records()).filter((r) => r.actor === 'test:retry');
      // One record: the two accesses of the failed flush merged with the one after it.
      expect(exports).toHaveLength(1);
      expect(JSON.parse(exports[0]?.details ?? '{}')).toMatchObject({ count: 3 });
    });

    it('names the record that was edited', async () => {
      await populate();
      const target = (await records())[2];
      await hub.ctx.storage.db
        .updateTable('audit_log')
        .set({ details: '{"count":99}' })
        .where('seq', '=', target?.seq ?? 0)
        .execute();
      expect(await hub.services.privacy.verify()).toMatchObject({ ok: false, brokenAt: target?.seq });
    });

    it('names the record that was deleted', async () => {
      await populate();
      await hub.ctx.storage.db.deleteFrom('audit_log').where('seq', '=', 3).execute();
      expect(await hub.services.privacy.verify()).toMatchObject({
        ok: false,
        brokenAt: 3,
        reason: expect.stringMatching(/missing/),
      });
      // Dropping the tail is caught through the head.
      const last = (await records()).at(-1);
      await hub.ctx.storage.db.deleteFrom('audit_log').where('seq', '>=', 3).execute();
      await hub.ctx.storage.db.deleteFrom('audit_checkpoints').execute();
      expect(await hub.services.privacy.verify()).toMatchObject({ ok: false, brokenAt: 3 });
      expect(last?.seq).toBeGreaterThan(3);
    });

    it('names the first of two records that were swapped', async () => {
      await populate();
      const rows = await records();
      const [a, b] = [rows[3], rows[4]];
      if (a === undefined || b === undefined) throw new Error('not enough records');
      // Swap the contents of seq 4 and 5, keeping each record's own hash.
      await hub.ctx.storage.db.updateTable('audit_log').set({ seq: -1 }).where('seq', '=', a.seq).execute();
      await hub.ctx.storage.db.updateTable('audit_log').set({ seq: a.seq }).where('seq', '=', b.seq).execute();
      await hub.ctx.storage.db.updateTable('audit_log').set({ seq: b.seq }).where('seq', '=', -1).execute();
      expect(await hub.services.privacy.verify()).toMatchObject({ ok: false, brokenAt: a.seq });
    });

    it('catches a rewritten chain through the signed checkpoint', async () => {
      await populate();
      // Rewrite record 2 and recompute every later hash, as an attacker with database access could.
      const rows = await records();
      let prev = rows[0]?.hash ?? '';
      for (const r of rows.slice(1)) {
        const next = {
          ...r,
          seq: Number(r.seq),
          at: Number(r.at),
          prev_hash: prev,
          details: r.seq === 2 ? '{"rewritten":true}' : r.details,
        };
        const hash = hashRecord(next);
        await hub.ctx.storage.db
          .updateTable('audit_log')
          .set({ prev_hash: prev, details: next.details, hash })
          .where('seq', '=', r.seq)
          .execute();
        prev = hash;
      }
      await sql`update audit_head set hash = ${prev} where id = 1`.execute(hub.ctx.storage.db);
      const result = await hub.services.privacy.verify();
      expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/checkpoint/) });
      // A forged checkpoint signature is refused as well.
      await hub.ctx.storage.db
        .updateTable('audit_checkpoints')
        .set({ hash: prev, jws: 'eyJhbGciOiJFUzI1NiJ9.e30.AAAA' })
        .execute();
      expect(await hub.services.privacy.verify()).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/signature/),
      });
    });
  });
}

/**
 * Erasure: deleting an account destroys the customer's data key, so their content stays
 * unreadable even in a copy of the database taken before the deletion; their rows go and
 * the business receives nothing new. Unlinking with `erase_history` shreds one conversation.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ContentErasedError } from '../../src/privacy/purposes.js';
import { buildTestHub, DIALECTS, testClock, type TestHub } from '../helpers.js';
import {
  businessSendsTemplate,
  customerSays,
  customerView,
  rawPostgresText,
  rawSqliteBytes,
  scene,
} from './fixtures.js';

const toCustomer = { purpose: 'deliver_to_customer', actor: 'test' } as const;

for (const dialect of DIALECTS) {
  describe(`${dialect}: erasure`, () => {
    let hub: TestHub | undefined;
    const dirs: string[] = [];
    afterEach(async () => {
      await hub?.dispose();
      hub = undefined;
      for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
    });
    const tmp = () => {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-erasure-'));
      dirs.push(d);
      return d;
    };

    it('DELETE /api/account shreds the data key: a copy of the database taken before cannot be read', async () => {
      const dataDir = dialect === 'sqlite' ? tmp() : undefined;
      hub = await buildTestHub({
        dialect,
        ...(dataDir === undefined ? {} : { dataDir }),
        clock: testClock(),
        env: { SERVICES: 'api,realtime' },
      });
      const h = hub;
      const s = await scene(h, 'my long password');
      await customerSays(h, s, 'CANARY-ERASE my card is blocked');
      await businessSendsTemplate(h, s, 'CANARY-TEMPLATE');
      expect(await customerView(h, s)).toContain('CANARY-ERASE');
      const sealed = (
        await h.ctx.storage.db
          .selectFrom('messages')
          .select('body')
          .where('conversation_id', '=', s.conversationId)
          .execute()
      ).map((r) => r.body);
      expect(sealed).toHaveLength(2);
      const wrapped = await h.ctx.storage.vault.keystore.get(`customer:${s.customer.id}`);
      expect(wrapped?.kekId).toBe(h.ctx.config.kek.id);

      // A copy of the database, as a backup or a stolen disk would have it.
      let copied: string[] = sealed;
      if (dataDir !== undefined) {
        const copy = tmp();
        for (const f of fs.readdirSync(dataDir))
          if (f.startsWith('confide.db')) fs.copyFileSync(path.join(dataDir, f), path.join(copy, f));
        const db = new SQLite(path.join(copy, 'confide.db'));
        copied = (
          db.prepare('select body from messages where conversation_id = ? order by id').all(s.conversationId) as Array<{
            body: string;
          }>
        ).map((r) => r.body);
        db.close();
        expect(copied).toHaveLength(2);
        // Before the deletion, the hub's KEK and keystore open the copy.
        await expect(
          h.ctx.storage.vault.openMessage(toCustomer, s.customer.id, copied[0] ?? ''),
        ).resolves.toMatchObject({
          text: 'CANARY-ERASE my card is blocked',
        });
      }

      const wrong = await h.app.inject({
        method: 'DELETE',
        url: '/api/account',
        headers: { cookie: s.customer.cookie },
        payload: { password: 'not it' },
      });
      expect(wrong.statusCode).toBe(401);
      const res = await h.app.inject({
        method: 'DELETE',
        url: '/api/account',
        headers: { cookie: s.customer.cookie },
        payload: { password: 'my long password' },
      });
      expect(res.statusCode).toBe(204);

      // The copy no longer opens with the hub's KEK: its data key is gone from the keystore.
      for (const body of copied)
        await expect(h.ctx.storage.vault.openMessage(toCustomer, s.customer.id, body)).rejects.toBeInstanceOf(
          ContentErasedError,
        );
      expect(await h.ctx.storage.vault.keystore.get(`customer:${s.customer.id}`)).toBeUndefined();
      // …and the wrapped key is not left behind in the keystore's bytes.
      if (dataDir !== undefined)
        expect(rawSqliteBytes(dataDir).includes(Buffer.from(wrapped?.material ?? 'x'))).toBe(false);
      else expect((await rawPostgresText(h)).includes(wrapped?.material ?? 'x')).toBe(false);

      // Rows are gone, the session too, and nothing is left for the business.
      const count = async (
        table: 'customers' | 'conversations' | 'messages' | 'webhook_outbox' | 'sessions' | 'customer_events',
      ) =>
        Number(
          (
            await h.ctx.storage.db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      for (const table of [
        'customers',
        'conversations',
        'messages',
        'webhook_outbox',
        'sessions',
        'customer_events',
      ] as const)
        expect(await count(table), table).toBe(0);
      expect(
        (await h.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.customer.cookie } })).statusCode,
      ).toBe(401);
      const send = await h.app.inject({
        method: 'POST',
        url: `/v19.0/me/messages?access_token=${s.page.page_access_token}`,
        payload: { recipient: { id: s.psid }, messaging_type: 'RESPONSE', message: { text: 'still there?' } },
      });
      expect(send.statusCode).toBeGreaterThanOrEqual(400);
      expect(await count('webhook_outbox')).toBe(0);
      // The erasure itself is audited, by id only.
      await h.services.privacy.flush();
      const audit = await h.ctx.storage.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'customer.erased')
        .execute();
      expect(audit).toMatchObject([{ actor: `customer:${s.customer.id}`, customer_id: s.customer.id }]);
      expect(JSON.stringify(audit)).not.toContain('CANARY');
    });

    it('confide customer delete (operator) erases by username', async () => {
      hub = await buildTestHub({ dialect, clock: testClock(), env: { SERVICES: 'api,realtime' } });
      const s = await scene(hub);
      await customerSays(hub, s, 'hello');
      const report = await hub.services.privacy.deleteCustomerByUsername(s.customer.username);
      expect(report).toMatchObject({ customerId: s.customer.id, conversations: 1, messages: 1, pendingWebhooks: 1 });
      expect(
        await hub.ctx.storage.db
          .selectFrom('customers')
          .select('id')
          .where('id', '=', s.customer.id)
          .executeTakeFirst(),
      ).toBeUndefined();
      await expect(hub.services.privacy.deleteCustomerByUsername(s.customer.username)).rejects.toMatchObject({
        key: 'NOT_FOUND',
      });
    });

    it('unlink with erase_history shreds that conversation only; without it history stays', async () => {
      hub = await buildTestHub({ dialect, clock: testClock(), env: { SERVICES: 'api,realtime' } });
      const h = hub;
      const s = await scene(h);
      await customerSays(h, s, 'CANARY-HISTORY first');
      const old = await h.ctx.storage.db
        .selectFrom('messages')
        .select('body')
        .where('conversation_id', '=', s.conversationId)
        .executeTakeFirstOrThrow();
      const keep = await scene(h);
      await customerSays(h, keep, 'kept');

      const plain = await h.app.inject({
        method: 'POST',
        url: `/api/privacy/businesses/${keep.page.page_id}/unlink`,
        headers: { cookie: keep.customer.cookie },
      });
      expect(plain.statusCode, plain.body).toBe(200);
      expect(await customerView(h, keep)).toContain('kept');

      const res = await h.app.inject({
        method: 'POST',
        url: `/api/privacy/businesses/${s.page.page_id}/unlink`,
        headers: { cookie: s.customer.cookie },
        payload: { erase_history: true },
      });
      expect(res.statusCode).toBe(200);
      expect(await customerView(h, s)).not.toContain('CANARY-HISTORY');
      await expect(h.ctx.storage.vault.openMessage(toCustomer, s.customer.id, old.body)).rejects.toBeInstanceOf(
        ContentErasedError,
      );
      expect(
        await h.ctx.storage.db
          .selectFrom('webhook_outbox')
          .select('id')
          .where('conversation_id', '=', s.conversationId)
          .execute(),
      ).toEqual([]);
      // The conversation goes on under a new key.
      await customerSays(h, s, 'after erasure');
      expect(await customerView(h, s)).toContain('after erasure');
    });
  });
}

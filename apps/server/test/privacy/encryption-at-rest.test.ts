/**
 * Content at rest: a canary in a customer message, a business template and the webhook
 * payload they produce never appears in the database's bytes (SQLite file, WAL and
 * keystore) or in any PostgreSQL row, while the customer and the business still read it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestHub, DIALECTS, testClock, type TestHub } from '../helpers.js';
import {
  businessSendsTemplate,
  customerSays,
  customerView,
  rawPostgresText,
  rawSqliteBytes,
  scene,
} from './fixtures.js';

const canary = () => `CANARY${randomBytes(6).toString('hex').toUpperCase()}`;

for (const dialect of DIALECTS) {
  describe(`${dialect}: encryption at rest`, () => {
    let hub: TestHub | undefined;
    let dataDir: string | undefined;
    afterEach(async () => {
      await hub?.dispose();
      if (dataDir !== undefined) fs.rmSync(dataDir, { recursive: true, force: true });
      hub = undefined;
      dataDir = undefined;
    });

    it('keeps message, template and webhook canaries out of the stored bytes', async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-at-rest-'));
      hub = await buildTestHub({ dialect, dataDir, clock: testClock(), env: { SERVICES: 'api,realtime' } });
      const s = await scene(hub);
      const inMessage = canary();
      const inTemplate = canary();
      await customerSays(hub, s, `my secret is ${inMessage}`);
      await businessSendsTemplate(hub, s, inTemplate);

      // Both reach their readers…
      const view = await customerView(hub, s);
      expect(view).toContain(inMessage);
      expect(view).toContain(inTemplate);
      const outbox = await hub.ctx.storage.db
        .selectFrom('webhook_outbox')
        .select(['payload', 'field'])
        .orderBy('id')
        .execute();
      expect(outbox.map((r) => r.field)).toEqual(['messages', 'message_echoes']);
      const opened = await Promise.all(
        outbox.map((r) =>
          hub?.ctx.storage.vault.openPayload(
            { purpose: 'deliver_to_business', actor: 'test' },
            s.customer.id,
            r.payload,
          ),
        ),
      );
      expect(JSON.stringify(opened)).toContain(inMessage);
      expect(JSON.stringify(opened)).toContain(inTemplate);

      // …but not the storage.
      if (dialect === 'sqlite') {
        await hub.close();
        const bytes = rawSqliteBytes(dataDir);
        // The scan sees clear data (routing metadata stays clear), so a miss means encryption.
        expect(bytes.includes(Buffer.from(s.page.page_id))).toBe(true);
        expect(bytes.includes(Buffer.from(s.conversationId))).toBe(true);
        for (const secret of [inMessage, inTemplate]) expect(bytes.includes(Buffer.from(secret)), secret).toBe(false);
      } else {
        const text = await rawPostgresText(hub);
        expect(text).toContain(s.conversationId);
        expect(text).toContain('[privacy_keys]');
        for (const secret of [inMessage, inTemplate]) expect(text.includes(secret), secret).toBe(false);
      }
    });

    it('binds a ciphertext to its customer and column: moved elsewhere it does not open', async () => {
      hub = await buildTestHub({ dialect, clock: testClock(), env: { SERVICES: 'api,realtime' } });
      const s = await scene(hub);
      await customerSays(hub, s, 'bound');
      const other = await scene(hub);
      await customerSays(hub, other, 'other');
      const row = await hub.ctx.storage.db
        .selectFrom('messages')
        .select('body')
        .where('conversation_id', '=', s.conversationId)
        .executeTakeFirstOrThrow();
      const access = { purpose: 'deliver_to_customer', actor: 'test' } as const;
      await expect(hub.ctx.storage.vault.openMessage(access, s.customer.id, row.body)).resolves.toEqual({
        text: 'bound',
      });
      await expect(hub.ctx.storage.vault.openMessage(access, other.customer.id, row.body)).rejects.toThrow();
      await expect(
        hub.ctx.storage.vault.openPayload({ purpose: 'deliver_to_business', actor: 'test' }, s.customer.id, row.body),
      ).rejects.toThrow();
    });
  });
}

/**
 * Checks before any write (issue 15): a Send API call refused by its thread-owner, window or
 * consent check runs no write statement in its transaction and leaves every table as it was,
 * attachment rows and key wraps included, even when its message carries attachments that an
 * accepted send would store. In a group commit such a send is refused alone: on PostgreSQL
 * the write queue neither rolls the batch back nor runs the other jobs again. Both dialects.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Hub } from '../../hub.js';
import { mayWrite } from '../../storage/statement-tally.js';
import type { WriteQueue } from '../../storage/write-queue.js';
import { buildGraphFixture, type GraphFixture } from '../../../test/contract/graph-fixtures.js';
import { buildTestHub, DIALECTS, testClock, type TestClock, type TestHub } from '../../../test/helpers.js';

const DAY = 24 * 3_600_000;
const WRITE_BUILDERS = new Set(['insertInto', 'updateTable', 'deleteFrom', 'replaceInto', 'mergeInto']);

/** Counts the write queue's jobs, the runs of their bodies, and every write statement they issue. */
interface WriteProbe {
  jobs: number;
  runs: number;
  writes: string[];
}

function probeWrites(hub: Hub): WriteProbe {
  const probe: WriteProbe = { jobs: 0, runs: 0, writes: [] };
  const queue = hub.ctx.storage.writes;
  const run = queue.run.bind(queue);
  const wrapped: WriteQueue['run'] = (fn, options) => {
    probe.jobs += 1;
    return run(async (tx) => {
      probe.runs += 1;
      const db = new Proxy(tx.db, {
        get(target, prop) {
          const value: unknown = Reflect.get(target, prop, target);
          if (typeof value !== 'function') return value;
          const fn = value as (...args: unknown[]) => unknown;
          return (...args: unknown[]) => {
            if (typeof prop === 'string' && WRITE_BUILDERS.has(prop)) probe.writes.push(`${prop} ${String(args[0])}`);
            const query = args[0] as { sql?: unknown } | undefined;
            if (prop === 'executeQuery' && typeof query?.sql === 'string' && mayWrite(query.sql))
              probe.writes.push(query.sql);
            return fn.apply(target, args);
          };
        },
      });
      return fn({ ...tx, db });
    }, options);
  };
  queue.run = wrapped;
  return probe;
}

/** Rows in every table of the hub's database (its schema on PostgreSQL). */
async function countAllRows(hub: Hub): Promise<Record<string, number>> {
  const db = hub.ctx.storage.db;
  const tables =
    hub.ctx.storage.dialect === 'postgres'
      ? await sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db)
      : await sql<{ name: string }>`select name from sqlite_master
          where type = 'table' and name not like 'sqlite_%'`.execute(db);
  const counts: Record<string, number> = {};
  for (const { name } of tables.rows) {
    const row = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(name)}`.execute(db);
    counts[name] = Number(row.rows[0]?.n);
  }
  return counts;
}

/** A reusable image uploaded by the page (multipart), whose key a send would wrap for the conversation. */
async function uploadImage(hub: Hub, token: string): Promise<string> {
  const boundary = `----confide${randomBytes(4).toString('hex')}`;
  const message = JSON.stringify({ attachment: { type: 'image', payload: { is_reusable: true } } });
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="message"\r\n\r\n${message}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="filedata"; filename="card.png"\r\n`),
    Buffer.from('Content-Type: image/png\r\n\r\n'),
    randomBytes(64),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const res = await hub.app.inject({
    method: 'POST',
    url: `/v19.0/me/message_attachments?access_token=${token}`,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload,
  });
  if (res.statusCode !== 200) throw new Error(`upload failed: ${res.statusCode} ${res.body}`);
  return res.json().attachment_id as string;
}

/** Images by id (its key would be wrapped for the conversation) and by reusable URL (it would become a row). */
function withImages(psid: string, attachmentId: string, extra: Record<string, unknown>) {
  return {
    recipient: { id: psid },
    messaging_type: 'RESPONSE',
    message: {
      attachments: [
        { type: 'image', payload: { attachment_id: attachmentId } },
        { type: 'image', payload: { url: 'https://cdn.example.com/card.png', is_reusable: true } },
      ],
    },
    ...extra,
  };
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: a refused send writes nothing`, () => {
    let hub: TestHub;
    let clock: TestClock;
    let fx: GraphFixture;
    let token: string;

    beforeEach(async () => {
      clock = testClock();
      hub = await buildTestHub({
        dialect,
        clock,
        env: { SEND_RATE_LIMIT_PER_PAGE: '100', DATABASE_WRITE_CONCURRENCY: '1' },
      });
      fx = await buildGraphFixture(hub);
      token = fx.page.page_access_token;
    });
    afterEach(async () => {
      await hub.dispose();
    });

    const send = (payload: object) =>
      hub.app.inject({ method: 'POST', url: `/v25.0/me/messages?access_token=${token}`, payload });

    const refusals: Array<{ name: string; code: number; subcode?: number; arrange(): Promise<object> }> = [
      {
        name: 'the window is closed (10/2018278)',
        code: 10,
        subcode: 2018278,
        arrange: async () => (clock.advance(DAY + 1), {}),
      },
      {
        name: 'a tagged update has no consent (10/1400001)',
        code: 10,
        subcode: 1400001,
        arrange: async () => {
          clock.advance(3 * DAY);
          return { messaging_type: 'MESSAGE_TAG', tag: 'ACCOUNT_UPDATE', notification_category: 'fraud_alerts' };
        },
      },
      {
        name: 'another app holds the thread (2018300)',
        code: 2018300,
        arrange: async () => {
          const pass = await hub.app.inject({
            method: 'POST',
            url: `/v6.0/me/pass_thread_control?access_token=${token}`,
            payload: { recipient: { id: fx.psid }, target_app_id: 263902037430900 },
          });
          expect(pass.json()).toEqual({ success: true });
          return {};
        },
      },
    ];

    for (const refusal of refusals) {
      it(`${refusal.name}: no write statement, every table unchanged`, async () => {
        const attachmentId = await uploadImage(hub, token);
        const extra = await refusal.arrange();
        const before = await countAllRows(hub);
        const probe = probeWrites(hub);
        const res = await send(withImages(fx.psid, attachmentId, extra));
        expect(res.statusCode).toBe(400);
        const error = res.json().error as Record<string, unknown>;
        expect([error['code'], error['error_subcode']]).toEqual([refusal.code, refusal.subcode]);
        expect(probe.writes).toEqual([]);
        expect(await countAllRows(hub)).toEqual(before);
      });
    }

    it('a refused send with a file (multipart): no row, and the blob sealed before the transaction is deleted', async () => {
      clock.advance(DAY + 1);
      // The token's first use after a while records it (page_tokens.last_used_at): not the send's write.
      expect((await hub.app.inject({ method: 'GET', url: `/v25.0/me?access_token=${token}` })).statusCode).toBe(200);
      await hub.ctx.storage.writes.drain();
      const put = hub.blobs.put.bind(hub.blobs);
      const written: string[] = [];
      hub.blobs.put = async (data) => {
        const key = await put(data);
        written.push(key);
        return key;
      };
      const boundary = `----confide${randomBytes(4).toString('hex')}`;
      const fields = {
        recipient: JSON.stringify({ id: fx.psid }),
        messaging_type: 'RESPONSE',
        message: JSON.stringify({ attachment: { type: 'file', payload: { is_reusable: true } } }),
      };
      const payload = Buffer.concat([
        ...Object.entries(fields).map(([name, value]) =>
          Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
        ),
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="filedata"; filename="s.pdf"\r\n`),
        Buffer.from('Content-Type: application/pdf\r\n\r\n'),
        randomBytes(64),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const before = await countAllRows(hub);
      const probe = probeWrites(hub);
      const res = await hub.app.inject({
        method: 'POST',
        url: `/v25.0/me/messages?access_token=${token}`,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload,
      });
      expect(res.json().error).toMatchObject({ code: 10, error_subcode: 2018278 });
      expect(written).toHaveLength(1);
      expect(await hub.blobs.get(written[0]!)).toBeUndefined();
      expect(probe.writes).toEqual([]);
      expect(await countAllRows(hub)).toEqual(before);
    });

    it('the probe sees the writes of the same send when it is accepted (key wrap, attachment row, message)', async () => {
      const attachmentId = await uploadImage(hub, token);
      const before = await countAllRows(hub);
      const probe = probeWrites(hub);
      const res = await send(withImages(fx.psid, attachmentId, {}));
      expect(res.statusCode).toBe(200);
      expect(probe.writes).toEqual(expect.arrayContaining(['insertInto attachment_keys', 'insertInto attachments']));
      const after = await countAllRows(hub);
      expect(after['attachment_keys']).toBe((before['attachment_keys'] ?? 0) + 1);
      expect(after['attachments']).toBe((before['attachments'] ?? 0) + 1);
      expect(after['message_attachments']).toBe((before['message_attachments'] ?? 0) + 2);
      expect(after['messages']).toBe((before['messages'] ?? 0) + 1);
    });

    // Both dialects run a group commit's jobs without savepoints until one fails having written
    // (storage/write-queue.ts), but SQLite's one connection would keep the sends below from
    // reading while the gate holds the transaction open (SQLite's case: write-queue-optimistic.test.ts).
    it.runIf(dialect === 'postgres')(
      'in a group commit a refused send is refused alone: the batch commits once, no job runs twice',
      async () => {
        const closed = await buildGraphFixture(hub, { page: fx.page });
        clock.advance(DAY + 1);
        const open = [
          await buildGraphFixture(hub, { page: fx.page }),
          await buildGraphFixture(hub, { page: fx.page }),
          await buildGraphFixture(hub, { page: fx.page }),
        ];
        const attachmentId = await uploadImage(hub, token);
        const probe = probeWrites(hub);
        // Hold the only write slot so that every send below queues for the same transaction.
        let release = (): void => undefined;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const blocker = hub.ctx.storage.writes.run(() => gate);
        const stats = hub.ctx.storage.writes.stats;
        const sends = [
          send(withImages(open[0]!.psid, attachmentId, {})),
          send(withImages(closed.psid, attachmentId, {})),
          send(withImages(open[1]!.psid, attachmentId, {})),
          send(withImages(open[2]!.psid, attachmentId, {})),
        ];
        while (probe.jobs < 1 + sends.length) await new Promise((resolve) => setTimeout(resolve, 5));
        release();
        const answers = await Promise.all(sends);
        await blocker;
        expect(answers.map((a) => a.statusCode)).toEqual([200, 400, 200, 200]);
        expect(answers[1]!.json().error).toMatchObject({ code: 10, error_subcode: 2018278 });
        const after = hub.ctx.storage.writes.stats;
        expect(after.batches - stats.batches).toBe(2); // the blocker's, then all four sends in one
        expect(after.reruns - stats.reruns).toBe(0);
        expect(after.retries - stats.retries).toBe(0);
        expect(probe.runs).toBe(probe.jobs);
      },
    );
  });
}

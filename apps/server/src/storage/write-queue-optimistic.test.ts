/**
 * The write queue's jobs without savepoints (`optimistic`, both dialects; storage/db.ts): a
 * job that failed leaving no trace is refused alone, one that wrote or hit an SQL error rolls
 * the transaction back and the others run again in savepoints. Per dialect: PostgreSQL's COMMIT
 * of a transaction aborted behind the queue's back, SQLite's transaction rolled back by SQLite
 * itself (SQLITE_FULL) — neither acknowledges a write, nor leaves one committed on its own.
 */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, STORAGE_VARIANTS, type TestHub } from '../../test/helpers.js';
import type { WriteTx } from './write-queue.js';

const insertPage =
  (id: string, description = '') =>
  (tx: WriteTx) =>
    tx.db
      .insertInto('pages')
      .values({ id, name: id, name_lower: id, category: 'bank', description, privacy_policy_url: null, created_at: 1 })
      .execute();

describe.each(STORAGE_VARIANTS)('$name: WriteQueue jobs without savepoints', ({ dialect, file }) => {
  let hub: TestHub;
  beforeEach(async () => {
    hub = await buildTestHub({ dialect, file });
  });
  afterEach(async () => {
    await hub.dispose();
  });

  const pageIds = async () =>
    (await hub.ctx.storage.db.selectFrom('pages').select('id').orderBy('id').execute()).map((r) => r.id);

  it('refuses a job that failed before writing without rolling the others back or running them again', async () => {
    const writes = hub.ctx.storage.writes;
    const calls = { ok1: 0, ok2: 0 };
    const results = await Promise.allSettled([
      writes.run(async (tx) => {
        calls.ok1 += 1;
        await insertPage('ok1')(tx);
      }),
      writes.run(async (tx) => {
        await tx.db.selectFrom('pages').select('id').execute();
        throw new Error('refused after reading');
      }),
      writes.run(async (tx) => {
        calls.ok2 += 1;
        await insertPage('ok2')(tx);
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(calls).toEqual({ ok1: 1, ok2: 1 });
    expect(writes.stats.reruns).toBe(0);
    expect(await pageIds()).toEqual(['ok1', 'ok2']);
  });

  it('rolls back a job that failed after writing; the others run again, once more each', async () => {
    const writes = hub.ctx.storage.writes;
    const calls = { ok1: 0, ok2: 0 };
    const effects: string[] = [];
    const results = await Promise.allSettled([
      writes.run(async (tx) => {
        calls.ok1 += 1;
        await insertPage('ok1')(tx);
        tx.afterCommit(() => effects.push('ok1'));
      }),
      writes.run(async (tx) => {
        await insertPage('bad')(tx);
        tx.afterCommit(() => effects.push('bad'));
        throw new Error('refused after writing');
      }),
      writes.run(async (tx) => {
        calls.ok2 += 1;
        await insertPage('ok2')(tx);
        tx.afterCommit(() => effects.push('ok2'));
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ message: 'refused after writing' });
    // ok1 ran before the failure and again after the rollback; ok2 only after it.
    expect(calls).toEqual({ ok1: 2, ok2: 1 });
    expect(writes.stats.reruns).toBe(1);
    expect(effects.sort()).toEqual(['ok1', 'ok2']);
    expect(await pageIds()).toEqual(['ok1', 'ok2']);
  });

  it('counts an SQL error as a trace even when its statement changed nothing: the others run again and commit', async () => {
    const writes = hub.ctx.storage.writes;
    await writes.run(insertPage('dup'));
    const calls = { ok1: 0 };
    const results = await Promise.allSettled([
      writes.run(async (tx) => {
        calls.ok1 += 1;
        await insertPage('ok1')(tx);
      }),
      writes.run(insertPage('dup')),
      writes.run(insertPage('ok2')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(calls.ok1).toBe(2);
    expect(writes.stats.reruns).toBe(1);
    expect(await pageIds()).toEqual(['dup', 'ok1', 'ok2']);
  });

  it.runIf(dialect === 'postgres')(
    'never acknowledges a job whose SQL error was swallowed (PostgreSQL would roll the COMMIT back)',
    async () => {
      const writes = hub.ctx.storage.writes;
      const swallowing = async (tx: WriteTx) => {
        await insertPage('lost')(tx);
        await sql`select 1 / 0`.execute(tx.db).catch(() => undefined);
      };
      // Alone: the COMMIT would answer ROLLBACK.
      await expect(writes.run(swallowing)).rejects.toMatchObject({ code: '25P02' });
      // Last of a batch, and in the middle of one: the others still commit.
      const last = await Promise.allSettled([writes.run(insertPage('a1')), writes.run(swallowing)]);
      expect(last.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
      const middle = await Promise.allSettled([
        writes.run(insertPage('b1')),
        writes.run(swallowing),
        writes.run(insertPage('b2')),
      ]);
      expect(middle.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(await pageIds()).toEqual(['a1', 'b1', 'b2']);
    },
  );

  it.runIf(dialect === 'sqlite')(
    'rejects a batch whose transaction SQLite rolled back (SQLITE_FULL), committing nothing of it outside a transaction',
    async () => {
      const db = hub.ctx.storage.db;
      const writes = hub.ctx.storage.writes;
      // The database may grow by a couple of pages: a page with a 200 kB description does not fit.
      const pages = await sql<{ page_count: number }>`pragma page_count`.execute(db);
      await sql.raw(`pragma max_page_count = ${(pages.rows[0]?.page_count ?? 0) + 2}`).execute(db);
      const results = await Promise.allSettled([
        writes.run(insertPage('before')),
        writes.run(async (tx) => {
          // SQLite answers SQLITE_FULL by rolling the whole transaction back; the job swallows it.
          await insertPage('huge', 'x'.repeat(200_000))(tx).catch(() => undefined);
          await insertPage('after-full')(tx);
        }),
        writes.run(insertPage('after')),
      ]);
      // Settled, none acknowledged: the transaction they shared is gone.
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
      expect(results.map((r) => (r as PromiseRejectedResult).reason.code)).toContain('SQLITE_ABORT_ROLLBACK');
      expect(await pageIds()).toEqual([]);
      // Room again: the queue goes on.
      await sql.raw('pragma max_page_count = 1073741823').execute(db);
      await writes.run(insertPage('later'));
      expect(await pageIds()).toEqual(['later']);
    },
  );
});

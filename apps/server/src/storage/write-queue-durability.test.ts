/**
 * SQLite on a file: the write queue commits with synchronous=NORMAL and answers a batch only
 * after the WAL flush that followed its COMMIT (storage/wal-sync.ts). The flush is the seam:
 * the tests hold it, fail it, and check that no answer or post-commit effect comes before it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PlatformError } from '@confide/protocol';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from './db.js';
import { fdatasync } from './wal-sync.js';
import type { StorageServices } from './services.js';
import type { WriteTx } from './write-queue.js';

const noServices = () => ({
  services: {} as StorageServices,
  ready: async () => undefined,
  close: async () => undefined,
});

/** A flush that waits for the test, then really flushes; or fails when told to. */
function heldFlushes() {
  const calls: Array<{ go: () => void; fail: (err: unknown) => void }> = [];
  const flush = (fd: number) =>
    new Promise<void>((resolve, reject) => calls.push({ go: resolve, fail: reject })).then(() => fdatasync(fd));
  return { calls, flush };
}

function track<T>(promise: Promise<T>) {
  const state = { settled: false as false | 'resolved' | 'rejected', error: undefined as unknown };
  promise.then(
    () => (state.settled = 'resolved'),
    (err: unknown) => {
      state.settled = 'rejected';
      state.error = err;
    },
  );
  return state;
}

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 2));
}

const insertPage = (id: string) => (tx: WriteTx) =>
  tx.db
    .insertInto('pages')
    .values({
      id,
      name: id,
      name_lower: id,
      category: 'bank',
      description: '',
      privacy_policy_url: null,
      created_at: 1,
    })
    .execute();

describe('sqlite file: write queue with the WAL flushed off the main thread', () => {
  const dirs: string[] = [];
  let storage: Storage | undefined;
  afterEach(async () => {
    await storage?.close().catch(() => undefined);
    storage = undefined;
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function open(flushWal: (fd: number) => Promise<void>): Promise<Storage> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-walq-'));
    dirs.push(dataDir);
    storage = await openStorage({ dataDir, services: noServices, flushWal });
    return storage;
  }

  const pageIds = async (s: Storage) =>
    (await s.db.selectFrom('pages').select('id').orderBy('id').execute()).map((r) => r.id);

  it('answers a write and runs its effects only after the flush that followed its commit', async () => {
    const { calls, flush } = heldFlushes();
    const s = await open(flush);
    const effects: string[] = [];
    const a = track(
      s.writes.run(async (tx) => {
        await insertPage('a')(tx);
        tx.afterCommit(() => effects.push('a'));
        return 'done';
      }),
    );
    await until(() => calls.length === 1);
    // Committed (another statement on the connection sees it), not yet on disk: no answer, no effect.
    expect(await pageIds(s)).toEqual(['a']);
    expect(a.settled).toBe(false);
    expect(effects).toEqual([]);
    calls[0]?.go();
    await until(() => a.settled !== false);
    expect(a.settled).toBe('resolved');
    expect(effects).toEqual(['a']);
  });

  it('runs the next batch while the previous flush is in flight, the one after once that flush ends, answering in commit order', async () => {
    const { calls, flush } = heldFlushes();
    const s = await open(flush);
    const order: string[] = [];
    const write = (id: string) =>
      s.writes
        .run(async (tx) => {
          await insertPage(id)(tx);
          tx.afterCommit(() => order.push(`effect ${id}`));
        })
        .then(() => order.push(`answer ${id}`));
    const a = track(write('a'));
    await until(() => calls.length === 1);
    // b commits while a's flush is held; its own flush waits for a's to end.
    const b = track(write('b'));
    await until(async () => (await pageIds(s)).length === 2);
    // c would be the third commit not yet on disk: it waits for a's flush (the batch takes what queues meanwhile).
    const c = track(write('c'));
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(await pageIds(s)).toEqual(['a', 'b']);
    expect(calls).toHaveLength(1);
    expect([a.settled, b.settled, c.settled]).toEqual([false, false, false]);
    calls[0]?.go();
    await until(async () => a.settled !== false && (await pageIds(s)).length === 3);
    expect([b.settled, c.settled]).toEqual([false, false]);
    await until(() => calls.length === 2);
    calls[1]?.go();
    await until(() => b.settled !== false && calls.length === 3);
    expect(c.settled).toBe(false);
    calls[2]?.go();
    await until(() => c.settled !== false);
    expect(order).toEqual(['effect a', 'answer a', 'effect b', 'answer b', 'effect c', 'answer c']);
  });

  it('a failed flush fails its batch and every later write, and the storage turns unhealthy', async () => {
    const { calls, flush } = heldFlushes();
    const s = await open(flush);
    const before = s.writes.run(insertPage('before'));
    await until(() => calls.length === 1);
    calls[0]?.go();
    await before;
    await s.ping();
    const effects: string[] = [];
    const a = track(
      s.writes.run(async (tx) => {
        await insertPage('a')(tx);
        tx.afterCommit(() => effects.push('a'));
      }),
    );
    await until(() => calls.length === 2);
    const b = track(s.writes.run(insertPage('b')));
    await until(async () => (await pageIds(s)).includes('b'));
    calls[1]?.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await until(() => a.settled !== false && b.settled !== false);
    for (const outcome of [a, b]) {
      expect(outcome.settled).toBe('rejected');
      expect(outcome.error).toBeInstanceOf(PlatformError);
      expect((outcome.error as PlatformError).status).toBe(503);
    }
    expect(effects).toEqual([]);
    // Only the first flush and the failed one: no later flush could vouch for b.
    expect(calls).toHaveLength(2);
    await expect(s.ping()).rejects.toMatchObject({ code: 'EIO' });
    await expect(s.writes.run(insertPage('c'))).rejects.toBeInstanceOf(PlatformError);
    expect(await pageIds(s)).not.toContain('c');
  });

  it('a failing job rolls back alone in a deferred commit', async () => {
    const { calls, flush } = heldFlushes();
    const s = await open(flush);
    const release = setInterval(() => calls.splice(0).forEach((c) => c.go()), 1);
    try {
      const results = await Promise.allSettled([
        s.writes.run(insertPage('ok1')),
        s.writes.run(async (tx) => {
          await insertPage('bad')(tx);
          throw new PlatformError('BAD_REQUEST');
        }),
        s.writes.run(insertPage('ok2')),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(await pageIds(s)).toEqual(['ok1', 'ok2']);
    } finally {
      clearInterval(release);
    }
  });

  it('commits in the queue under synchronous=NORMAL, and every other statement under FULL', async () => {
    const s = await open(fdatasync);
    const level = async (db: Storage['db'] | WriteTx['db']) =>
      (await sql<{ synchronous: number }>`pragma synchronous`.execute(db)).rows[0]?.synchronous;
    const inQueue = await s.writes.run((tx) => level(tx.db));
    expect(inQueue).toBe(1);
    expect(await level(s.db)).toBe(2);
    // A transaction outside the queue keeps FULL as well.
    expect(await s.db.transaction().execute((trx) => level(trx))).toBe(2);
  });
});

/**
 * The SQLite writer thread's Kysely dialect on a real file: answers, SQLite error codes,
 * savepoints, deferred statements sent with the COMMIT, the in-band statement tally, reads on the main thread that do not wait for an
 * open write transaction, and a thread that dies.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { CompiledQuery, Kysely, sql, type Generated } from 'kysely';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { answerOf, DEFERRABLE } from '../deferred.js';
import { statementTally } from '../statement-tally.js';
import { withStatementCache } from '../statement-cache.js';
import { applyPragmas } from './pragmas.js';
import { SplitDriver } from './split-dialect.js';
import { SqliteDialectOver, WriterDriver } from './writer-dialect.js';
import { WriterThread } from './writer-thread.js';

interface Db {
  items: { id: Generated<number>; name: string };
}

describe('SQLite writer thread', () => {
  let dir: string;
  let thread: WriterThread;
  let writes: Kysely<Db>;
  let db: Kysely<Db>;
  let fatal: Error[];

  async function open(): Promise<void> {
    const reader = new SQLite(path.join(dir, 'test.db'));
    applyPragmas(reader);
    fatal = [];
    thread = await WriterThread.start({ file: path.join(dir, 'test.db'), onFatal: (err) => fatal.push(err) });
    const writer = new WriterDriver(thread);
    writes = new Kysely<Db>({ dialect: new SqliteDialectOver(writer) });
    db = new Kysely<Db>({ dialect: new SqliteDialectOver(new SplitDriver(withStatementCache(reader), writer)) });
  }

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-writer-'));
    await open();
    await db.schema
      .createTable('items')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .execute();
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await db.destroy();
    await writes.destroy();
    await thread.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers rows, affected rows and the insert id', async () => {
    const inserted = await writes.insertInto('items').values({ name: 'a' }).executeTakeFirstOrThrow();
    expect(inserted.insertId).toBe(1n);
    await writes.insertInto('items').values({ name: 'b' }).execute();
    const updated = await writes
      .updateTable('items')
      .set({ name: sql`name || '!'` })
      .executeTakeFirstOrThrow();
    expect(updated.numUpdatedRows).toBe(2n);
    const returned = await writes.deleteFrom('items').where('id', '=', 2).returning('name').execute();
    expect(returned).toEqual([{ name: 'b!' }]);
    expect(await writes.selectFrom('items').selectAll().execute()).toEqual([{ id: 1, name: 'a!' }]);
    // The main thread's reader sees what the thread committed.
    expect(await db.selectFrom('items').selectAll().execute()).toEqual([{ id: 1, name: 'a!' }]);
  });

  it('fails with the SQLite error code and message', async () => {
    await writes.insertInto('items').values({ name: 'a' }).execute();
    const err: unknown = await writes
      .insertInto('items')
      .values({ name: 'a' })
      .execute()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SQLite.SqliteError);
    expect(err).toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE', message: 'UNIQUE constraint failed: items.name' });
    // The thread goes on.
    expect(await writes.selectFrom('items').select('name').execute()).toEqual([{ name: 'a' }]);
    expect(fatal).toEqual([]);
  });

  it('runs transactions with savepoints, as the write queue does', async () => {
    await writes.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ name: 'kept' }).execute();
      await trx.executeQuery(CompiledQuery.raw('savepoint confide_job'));
      await trx.insertInto('items').values({ name: 'undone' }).execute();
      await trx.executeQuery(CompiledQuery.raw('rollback to savepoint confide_job'));
      await trx.executeQuery(CompiledQuery.raw('release savepoint confide_job'));
      await trx.executeQuery(CompiledQuery.raw('savepoint confide_job'));
      await trx.insertInto('items').values({ name: 'released' }).execute();
      await trx.executeQuery(CompiledQuery.raw('release savepoint confide_job'));
    });
    const failed = writes.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ name: 'rolled back' }).execute();
      throw new Error('no');
    });
    await expect(failed).rejects.toThrow('no');
    const names = (await db.selectFrom('items').select('name').orderBy('id').execute()).map((r) => r.name);
    expect(names).toEqual(['kept', 'released']);
  });

  it('sends savepoints and releases without waiting; one that fails fails the rest of its transaction', async () => {
    const failed = writes.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ name: 'a' }).execute();
      const tally = await statementTally(trx);
      const errors = tally?.errors ?? 0;
      // Answered at once (pipelined), though the thread refuses it.
      await trx.executeQuery(CompiledQuery.raw('release savepoint nosuch'));
      const next = trx
        .insertInto('items')
        .values({ name: 'b' })
        .execute()
        .catch((e: unknown) => e);
      expect(await next).toMatchObject({ code: 'SQLITE_ERROR', message: expect.stringMatching(/no such savepoint/) });
      expect(tally?.errors).toBe(errors + 2);
    });
    // Nothing of the transaction commits.
    await expect(failed).rejects.toThrow(/no such savepoint/);
    expect(await db.selectFrom('items').selectAll().execute()).toEqual([]);
    // After the rollback the thread answers again.
    await writes.insertInto('items').values({ name: 'c' }).execute();
    expect((await db.selectFrom('items').select('name').execute()).map((r) => r.name)).toEqual(['c']);
  });

  it('sends deferred statements with the COMMIT in one message, and answers them with it', async () => {
    const sent = vi.spyOn(Worker.prototype, 'postMessage');
    const answers: Array<Promise<unknown>> = [];
    await writes.transaction().execute(async (trx) => {
      for (const name of ['a', 'b']) {
        const result = await trx.executeQuery(
          CompiledQuery.raw(`${DEFERRABLE}insert into items (name) values (?) returning id, name`, [name]),
        );
        // Answered at once, without its rows: they come with the COMMIT's answer.
        expect(result.rows).toEqual([]);
        answers.push(answerOf(result).then((r) => r.rows));
      }
    });
    // BEGIN (pipelined), both inserts and the COMMIT: one message.
    expect(sent).toHaveBeenCalledTimes(1);
    expect(await Promise.all(answers)).toEqual([[{ id: 1, name: 'a' }], [{ id: 2, name: 'b' }]]);
    expect((await db.selectFrom('items').select('name').orderBy('id').execute()).map((r) => r.name)).toEqual([
      'a',
      'b',
    ]);
  });

  it('fails the COMMIT sent after a deferred statement that fails: nothing of the transaction commits', async () => {
    await writes.insertInto('items').values({ name: 'taken' }).execute();
    const answers: Array<Promise<unknown>> = [];
    const failed = writes.transaction().execute(async (trx) => {
      for (const name of ['a', 'taken', 'b']) {
        const result = await trx.executeQuery(
          CompiledQuery.raw(`${DEFERRABLE}insert into items (name) values (?)`, [name]),
        );
        answers.push(
          answerOf(result).then(
            () => 'ok',
            (e: unknown) => e,
          ),
        );
      }
    });
    await expect(failed).rejects.toMatchObject({
      code: 'SQLITE_CONSTRAINT_UNIQUE',
      message: expect.stringMatching(/in an earlier statement/),
    });
    // Each deferred statement's own answer: the first ran (and was rolled back), the second failed, the third did not run.
    const [first, taken, after] = await Promise.all(answers);
    expect(first).toBe('ok');
    expect(taken).toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE', message: 'UNIQUE constraint failed: items.name' });
    expect(after).toMatchObject({
      code: 'SQLITE_CONSTRAINT_UNIQUE',
      message: expect.stringMatching(/in an earlier statement/),
    });
    expect((await db.selectFrom('items').select('name').execute()).map((r) => r.name)).toEqual(['taken']);
    // After the rollback the thread answers again.
    await writes.insertInto('items').values({ name: 'c' }).execute();
    expect((await db.selectFrom('items').select('name').orderBy('id').execute()).map((r) => r.name)).toEqual([
      'taken',
      'c',
    ]);
    expect(fatal).toEqual([]);
  });

  it('keeps the statement tally on the main side, answered without a round trip', async () => {
    await writes.transaction().execute(async (trx) => {
      const tally = await statementTally(trx);
      if (tally === undefined) throw new Error('no tally');
      const { writes: w, errors: e } = tally;
      await trx.selectFrom('items').selectAll().execute();
      expect(tally).toEqual({ writes: w, errors: e });
      await trx.insertInto('items').values({ name: 'a' }).execute();
      expect(tally).toEqual({ writes: w + 1, errors: e });
      await trx
        .insertInto('items')
        .values({ name: 'a' })
        .execute()
        .catch(() => undefined);
      expect(tally).toEqual({ writes: w + 2, errors: e + 1 });
      await trx
        .selectFrom('nothing' as 'items')
        .selectAll()
        .execute()
        .catch(() => undefined);
      expect(tally).toEqual({ writes: w + 2, errors: e + 2 });
      // The live object: the same one again.
      expect(await statementTally(trx)).toBe(tally);
    });
  });

  it('reads on the main thread without waiting for an open write transaction, and sends its writes to the thread', async () => {
    await writes.insertInto('items').values({ name: 'before' }).execute();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inside!: () => void;
    const opened = new Promise<void>((resolve) => (inside = resolve));
    const transaction = writes.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ name: 'uncommitted' }).execute();
      inside();
      await held;
    });
    await opened;
    // The reader sees the last commit, not the transaction's write, and does not wait for it.
    expect((await db.selectFrom('items').select('name').execute()).map((r) => r.name)).toEqual(['before']);
    // A write through `db` waits its turn on the writer (no SQLITE_BUSY), then lands.
    const write = db.insertInto('items').values({ name: 'after' }).execute();
    release();
    await transaction;
    await write;
    const names = (await db.selectFrom('items').select('name').orderBy('id').execute()).map((r) => r.name);
    expect(names).toEqual(['before', 'uncommitted', 'after']);
    // A transaction through `db` runs on the writer too: its reads see its writes.
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('items').execute();
      expect(await trx.selectFrom('items').selectAll().execute()).toEqual([]);
    });
    expect(await db.selectFrom('items').selectAll().execute()).toEqual([]);
  });

  it('closes cleanly: the WAL is checkpointed into the file', async () => {
    await writes.insertInto('items').values({ name: 'a' }).execute();
    await db.destroy();
    await thread.close();
    expect(fs.existsSync(path.join(dir, 'test.db-wal'))).toBe(false);
    const again = new SQLite(path.join(dir, 'test.db'), { readonly: true });
    expect(again.prepare('select name from items').all()).toEqual([{ name: 'a' }]);
    again.close();
    await open();
    expect(fatal).toEqual([]);
  });

  it('treats a thread that dies as fatal: pending and later statements fail, onFatal is called once', async () => {
    await db.destroy();
    await thread.close();
    process.env['CONFIDE_TEST_WRITER_CRASH_ON'] = 'delete from';
    try {
      await open();
    } finally {
      delete process.env['CONFIDE_TEST_WRITER_CRASH_ON'];
    }
    await writes.insertInto('items').values({ name: 'a' }).execute();
    await expect(writes.deleteFrom('items').execute()).rejects.toThrow(/crash requested/);
    await expect(writes.insertInto('items').values({ name: 'c' }).execute()).rejects.toThrow(/crash requested/);
    expect(fatal).toHaveLength(1);
    // Reads on the main thread still answer (the hub's onFatal ends the process).
    expect(await db.selectFrom('items').select('name').execute()).toEqual([{ name: 'a' }]);
  });
});

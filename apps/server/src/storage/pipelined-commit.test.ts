import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../test/helpers.js';
import { FaultProxy } from '../../test/reliability/fault-proxy.js';
import { createSharedSchema, type SharedSchema } from '../../test/scale/scale-helpers.js';
import { CommitLanes } from './commit-lanes.js';
import { openPgPool, pooledConnection } from './pg-pool.js';
import { answerOf, DEFERRABLE, type DeferredResult } from './deferred.js';
import { commitAfterNext, CommitOutcomeUnknownError, isCommitOutcomeUnknown } from './pipelined-commit.js';

/** A pg client that records what is sent and answers only when told. */
function fakeClient() {
  const sent: string[] = [];
  /** The socket writes: what was sent while the socket was corked leaves in one. */
  const writes: string[][] = [];
  let corked = 0;
  let held: string[] = [];
  const answers = new Map<string, { resolve: (r: unknown) => void; reject: (e: unknown) => void }>();
  const stream = {
    cork: () => void (corked += 1),
    uncork() {
      corked -= 1;
      if (corked === 0 && held.length > 0) [writes[writes.length], held] = [held, []];
    },
  };
  const client = {
    connection: { stream },
    query(text: string | { text: string }) {
      const sql = typeof text === 'string' ? text : text.text;
      sent.push(sql);
      if (corked > 0) held.push(sql);
      else writes.push([sql]);
      return new Promise((resolve, reject) => answers.set(sql, { resolve, reject }));
    },
    release() {},
    end: () => Promise.resolve(),
  };
  const answer = (sql: string, command = 'SELECT') => answers.get(sql)?.resolve({ command, rows: [], rowCount: 0 });
  const fail = (sql: string, err: unknown) => answers.get(sql)?.reject(err);
  return { sent, writes, answer, fail, connection: pooledConnection(client as unknown as pg.PoolClient) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('a pooled PostgreSQL connection pipelines a transaction', () => {
  it('sends BEGIN with the next statement, and COMMIT behind the marked one before its answer', async () => {
    const { sent, answer, connection } = fakeClient();
    await connection.query('begin', []); // answered at once: the statement goes out behind it
    const read = connection.query('select 1', []);
    expect(sent).toEqual(['begin', 'select 1']);
    answer('begin', 'BEGIN');
    answer('select 1');
    await read;
    expect((await connection.query('-- confide: commit after the next statement', [])).rows).toEqual([
      { pipelined: true },
    ]);
    const last = connection.query('insert into t values (1)', []);
    await tick();
    expect(sent).toEqual(['begin', 'select 1', 'insert into t values (1)', 'commit']);
    answer('insert into t values (1)', 'INSERT');
    answer('commit', 'COMMIT');
    await last;
    // Kysely's own COMMIT takes the one already sent: nothing more goes out.
    expect((await connection.query('commit', [])).command).toBe('COMMIT');
    expect(sent).toHaveLength(4);
  });

  it('writes BEGIN with the first statement and COMMIT with the last, each pair in one write to the socket', async () => {
    const { writes, answer, connection } = fakeClient();
    await connection.query('begin', []);
    const read = connection.query('select 1', []);
    answer('begin', 'BEGIN');
    answer('select 1');
    await read;
    await connection.query('-- confide: commit after the next statement', []);
    const last = connection.query('insert into t values (1)', []);
    answer('insert into t values (1)', 'INSERT');
    answer('commit', 'COMMIT');
    await last;
    await connection.query('commit', []);
    expect(writes).toEqual([
      ['begin', 'select 1'],
      ['insert into t values (1)', 'commit'],
    ]);
  });

  it('answers a deferrable statement at once and sends it with the next statement; its answer comes with answerOf', async () => {
    const { writes, answer, connection } = fakeClient();
    const routes = `${DEFERRABLE}select * from apps`;
    await connection.query('begin', []);
    const deferred = await connection.query(routes, []);
    expect(writes).toEqual([]);
    const read = connection.query('select 1', []);
    expect(writes).toEqual([['begin', routes, 'select 1']]);
    const answered = answerOf(deferred as DeferredResult<unknown>);
    answer('begin', 'BEGIN');
    answer(routes);
    answer('select 1');
    await read;
    await expect(answered).resolves.toMatchObject({ command: 'SELECT' });
    // Rolled back before it was sent: nothing goes out, its answer is a failure.
    await connection.query('begin', []);
    const dropped = answerOf((await connection.query(routes, [])) as DeferredResult<unknown>);
    await connection.query('rollback', []);
    await expect(dropped).rejects.toThrow(/not sent/);
    expect(writes).toHaveLength(1);
  });

  it('sends nothing for a transaction that sent no statement', async () => {
    const { sent, connection } = fakeClient();
    await connection.query('begin', []);
    expect((await connection.query('commit', [])).command).toBe('COMMIT');
    await connection.query('begin', []);
    expect((await connection.query('rollback', [])).command).toBe('ROLLBACK');
    expect(sent).toEqual([]);
  });

  it('fails with the statement’s error when the COMMIT behind it ended in ROLLBACK, and rolls back without a round trip', async () => {
    const { sent, answer, fail, connection } = fakeClient();
    await connection.query('begin', []);
    await connection.query('-- confide: commit after the next statement', []);
    const last = connection.query('insert into t values (1)', []);
    const failure = Object.assign(new Error('duplicate key'), { code: '23505' });
    answer('begin', 'BEGIN');
    fail('insert into t values (1)', failure);
    answer('commit', 'ROLLBACK');
    await expect(last).rejects.toBe(failure);
    await connection.query('rollback', []);
    expect(sent).toEqual(['begin', 'insert into t values (1)', 'commit']);
  });

  it('cannot tell whether it committed when the COMMIT behind a failed statement got no answer', async () => {
    const { answer, fail, connection } = fakeClient();
    await connection.query('begin', []);
    await connection.query('-- confide: commit after the next statement', []);
    const last = connection.query('insert into t values (1)', []);
    answer('begin', 'BEGIN');
    const lost = new Error('Query read timeout');
    fail('insert into t values (1)', lost);
    fail('commit', lost);
    const err = await last.catch((e: unknown) => e);
    expect(isCommitOutcomeUnknown(err)).toBe(true);
    expect((err as Error).message).toMatch(/Query read timeout/);
  });

  it('refuses to report a rollback after the COMMIT it had sent succeeded', async () => {
    const { answer, connection } = fakeClient();
    await connection.query('begin', []);
    await connection.query('-- confide: commit after the next statement', []);
    const last = connection.query('insert into t values (1)', []);
    answer('begin', 'BEGIN');
    answer('insert into t values (1)', 'INSERT');
    answer('commit', 'COMMIT');
    await last;
    await expect(connection.query('rollback', [])).rejects.toBeInstanceOf(CommitOutcomeUnknownError);
  });
});

describe('CommitLanes', () => {
  const partitioned = [{ partition: 'u1' }];
  const open = [{ partition: undefined }, { partition: 'u2' }];

  it('isolates partitioned batches, holds back a batch with an unpartitioned job while they are in flight', () => {
    const lanes = new CommitLanes(4);
    expect(lanes.admit(partitioned)).toBe('isolated');
    expect(lanes.admit(open)).toBeUndefined();
    lanes.leave('isolated');
    expect(lanes.admit(open)).toBe('open');
    // While it is in flight, partitioned batches run too, but not isolated.
    expect(lanes.admit(partitioned)).toBe('beside');
    lanes.leave('beside');
    expect(lanes.admit(partitioned)).toBe('beside');
    lanes.leave('open');
    expect(lanes.admit(partitioned)).toBe('isolated');
  });

  it('isolates everything with one transaction at a time', () => {
    expect(new CommitLanes(1).admit(open)).toBe('isolated');
  });
});

describe.runIf(DIALECTS.includes('postgres'))('a pipelined COMMIT on PostgreSQL', () => {
  let schema: SharedSchema | undefined;
  let proxy: FaultProxy | undefined;
  let db: Kysely<{ t: { id: number } }> | undefined;
  afterEach(async () => {
    proxy?.set('open');
    await db?.destroy();
    await proxy?.close();
    await schema?.drop();
    schema = proxy = db = undefined;
  });

  async function open(viaProxy = false): Promise<Kysely<{ t: { id: number } }>> {
    schema = await createSharedSchema();
    const url = new URL(schema.url);
    if (viaProxy) {
      proxy = await FaultProxy.start({ host: '127.0.0.1', port: Number(url.port || 5432) });
      url.port = String(proxy.port);
    }
    db = new Kysely({
      dialect: new PostgresDialect({ pool: openPgPool(url.toString(), { max: 1, queryTimeoutMs: 500 }) }),
    });
    await sql`create table t (id int primary key)`.execute(db);
    return db;
  }

  const ids = async (k: Kysely<{ t: { id: number } }>) =>
    (await k.selectFrom('t').select('id').orderBy('id').execute()).map((r) => r.id);

  it('commits the transaction, and after a failing last statement keeps nothing and leaves the connection usable', async () => {
    const k = await open();
    await k.transaction().execute(async (trx) => {
      await trx.insertInto('t').values({ id: 1 }).execute();
      expect(await commitAfterNext(trx)).toBe(true);
      await trx.insertInto('t').values({ id: 2 }).execute();
    });
    const failing = k.transaction().execute(async (trx) => {
      await trx.insertInto('t').values({ id: 3 }).execute();
      await commitAfterNext(trx);
      await trx.insertInto('t').values({ id: 1 }).execute(); // duplicate key
    });
    await expect(failing).rejects.toMatchObject({ code: '23505' });
    expect(await ids(k)).toEqual([1, 2]);
  });

  it('reports an unknown outcome, not a failure to run again, when the link goes silent behind the COMMIT', async () => {
    const k = await open(true);
    const link = proxy as FaultProxy;
    const err = await k
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('t').values({ id: 1 }).execute();
        await commitAfterNext(trx);
        link.set('blackhole');
        await trx.insertInto('t').values({ id: 2 }).execute();
      })
      .catch((e: unknown) => e);
    expect(isCommitOutcomeUnknown(err)).toBe(true);
  });
});

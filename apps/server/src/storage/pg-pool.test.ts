import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../test/helpers.js';
import { FaultProxy } from '../../test/reliability/fault-proxy.js';
import { createSharedSchema, type SharedSchema } from '../../test/scale/scale-helpers.js';
import { openPgPool } from './pg-pool.js';

describe.runIf(DIALECTS.includes('postgres'))('openPgPool: a connection whose query timed out', () => {
  let schema: SharedSchema | undefined;
  let proxy: FaultProxy | undefined;
  let db: Kysely<{ t: { id: number; n: number } }> | undefined;
  let direct: pg.Client | undefined;
  afterEach(async () => {
    proxy?.set('open');
    await db?.destroy();
    await direct?.end();
    await proxy?.close();
    await schema?.drop();
    schema = proxy = db = direct = undefined;
  });

  it('is closed, not pooled: the transaction it was in ends on the server and the next caller gets a fresh connection', async () => {
    schema = await createSharedSchema();
    direct = new pg.Client({ connectionString: schema.url });
    await direct.connect();
    await direct.query('create table t (id int primary key, n int not null)');
    await direct.query('insert into t values (1, 0)');
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: Number(new URL(schema.url).port || 5432) });
    const viaProxy = new URL(schema.url);
    viaProxy.port = String(proxy.port);
    db = new Kysely({
      dialect: new PostgresDialect({ pool: openPgPool(viaProxy.toString(), { max: 1, queryTimeoutMs: 500 }) }),
    });
    const link = proxy;
    await sql`select 1`.execute(db);
    const connections = link.accepted;

    // The link goes silent in the middle of a transaction that has locked a row.
    await expect(
      db.transaction().execute(async (trx) => {
        await sql`update t set n = n + 1 where id = 1`.execute(trx);
        link.set('blackhole');
        await sql`select 1`.execute(trx);
      }),
    ).rejects.toThrow();
    link.set('open');

    // Nobody holds the row: the abandoned transaction ended with its connection.
    await direct.query(`set lock_timeout = '2s'`);
    await direct.query('update t set n = n + 10 where id = 1');
    const started = Date.now();
    const rows = await db.selectFrom('t').select('n').execute();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(rows).toEqual([{ n: 10 }]);
    expect(link.accepted).toBe(connections + 1);
  });
});

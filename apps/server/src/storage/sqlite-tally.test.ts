/**
 * The statement tally on SQLite (sqlite-tally.ts): what the write queue reads around a job it
 * runs without a savepoint. Statements that may write and statements that threw are counted,
 * `TALLY_SQL` is answered with the live tally without reaching SQLite, and a transaction that
 * SQLite rolled back itself refuses every statement until Kysely's ROLLBACK.
 */
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { sqlState } from './db-errors.js';
import { withStatementTally } from './sqlite-tally.js';
import { withStatementCache } from './statement-cache.js';
import { statementTally, TALLY_SQL, type StatementTally } from './statement-tally.js';

function tallied() {
  const sqlite = new SQLite(':memory:');
  const sent: string[] = [];
  const database = withStatementTally({
    close: () => sqlite.close(),
    prepare: (text: string) => {
      sent.push(text);
      return sqlite.prepare(text);
    },
    get inTransaction() {
      return sqlite.inTransaction;
    },
  });
  const tally = () => database.prepare(TALLY_SQL).all([])[0] as StatementTally;
  return { sqlite, database, sent, tally };
}

describe('withStatementTally (SQLite)', () => {
  it('counts statements that may write when they run, and statements that threw', () => {
    const { database, tally } = tallied();
    const live = tally();
    expect(live).toEqual({ writes: 0, errors: 0 });
    database.prepare('create table t (x integer primary key)').run([]);
    expect(live).toEqual({ writes: 1, errors: 0 });
    const insert = database.prepare('insert into t (x) values (?)');
    // Prepared once, counted per run.
    insert.run([1]);
    insert.run([2]);
    expect(database.prepare('select x from t order by x').all([])).toEqual([{ x: 1 }, { x: 2 }]);
    expect([...database.prepare('select x from t').iterate([])]).toHaveLength(2);
    expect(live).toEqual({ writes: 3, errors: 0 });
    // A RETURNING statement and a locking clause count as writes; a constraint violation as both.
    expect(database.prepare('update t set x = x + 10 where x = 2 returning x').all([])).toEqual([{ x: 12 }]);
    expect(() => insert.run([1])).toThrow(/UNIQUE/);
    expect(live).toEqual({ writes: 5, errors: 1 });
    // SQL that cannot be prepared fails like a statement.
    expect(() => database.prepare('select nope from missing')).toThrow(/no such table/);
    expect(live).toEqual({ writes: 5, errors: 2 });
    // The same object each time: the write queue reads it before and after a job.
    expect(tally()).toBe(live);
  });

  it('answers TALLY_SQL without touching SQLite, even closed', () => {
    const { sqlite, database, sent, tally } = tallied();
    sqlite.close();
    expect(tally()).toEqual({ writes: 0, errors: 0 });
    expect(database.prepare(TALLY_SQL).reader).toBe(true);
    expect(sent).toEqual([]);
  });

  it('is read in band through Kysely, behind the statement cache', async () => {
    const sqlite = new SQLite(':memory:');
    const db = new Kysely<{ t: { x: number } }>({
      dialect: new SqliteDialect({ database: withStatementCache(withStatementTally(sqlite)) }),
    });
    await sql`create table t (x integer primary key)`.execute(db);
    await db.transaction().execute(async (trx) => {
      const tally = await statementTally(trx);
      expect(tally).toBeDefined();
      const before = { ...(tally as StatementTally) };
      await trx.selectFrom('t').selectAll().execute();
      expect(tally).toEqual(before);
      await trx.insertInto('t').values({ x: 1 }).execute();
      await expect(trx.insertInto('t').values({ x: 1 }).execute()).rejects.toThrow(/UNIQUE/);
      expect(tally).toEqual({ writes: before.writes + 2, errors: before.errors + 1 });
      // A statement error leaves SQLite's transaction going: the first row stays.
    });
    expect(await db.selectFrom('t').selectAll().execute()).toEqual([{ x: 1 }]);
    await db.destroy();
  });

  it('refuses every statement after SQLite rolled the transaction back, until ROLLBACK, then works again', () => {
    const { sqlite, database, tally } = tallied();
    database.prepare('create table t (x blob)').run([]);
    const pages = sqlite.pragma('page_count', { simple: true }) as number;
    sqlite.pragma(`max_page_count = ${pages + 2}`);
    const insert = database.prepare('insert into t (x) values (?)');
    database.prepare('begin').run([]);
    insert.run([Buffer.alloc(10)]);
    // SQLITE_FULL: SQLite rolls the whole transaction back.
    expect(() => insert.run([Buffer.alloc(200_000)])).toThrow();
    expect(sqlite.inTransaction).toBe(false);
    // Would otherwise commit on its own, outside any transaction.
    let refused: unknown;
    try {
      insert.run([Buffer.alloc(10)]);
    } catch (err) {
      refused = err;
    }
    expect(sqlState(refused)).toBe('SQLITE_ABORT_ROLLBACK');
    expect(() => database.prepare('commit').run([])).toThrow(/rolled back by SQLite/);
    expect(tally().errors).toBe(3);
    // Kysely's ROLLBACK finds nothing to undo, and does not fail.
    database.prepare('rollback').run([]);
    expect(sqlite.prepare('select count(*) as n from t').get()).toEqual({ n: 0 });
    sqlite.pragma('max_page_count = 1073741823');
    database.prepare('begin').run([]);
    insert.run([Buffer.alloc(10)]);
    database.prepare('commit').run([]);
    expect(sqlite.prepare('select count(*) as n from t').get()).toEqual({ n: 1 });
  });
});

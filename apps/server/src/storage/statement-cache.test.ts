import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { withStatementCache } from './statement-cache.js';

function counting() {
  const sqlite = new SQLite(':memory:');
  let prepared = 0;
  const db = withStatementCache(
    {
      close: () => sqlite.close(),
      prepare: (sql: string) => {
        prepared += 1;
        return sqlite.prepare(sql);
      },
    },
    2,
  );
  return { db, sqlite, prepared: () => prepared };
}

describe('withStatementCache', () => {
  it('prepares the same SQL once and reuses the statement', () => {
    const { db, prepared } = counting();
    db.prepare('create table t (x integer)').run([]);
    for (let i = 0; i < 3; i++) db.prepare('insert into t (x) values (?)').run([i]);
    expect(db.prepare('select count(*) as n from t').all([])).toEqual([{ n: 3 }]);
    expect(prepared()).toBe(3);
  });

  it('starts over once it holds `capacity` statements', () => {
    const { db, prepared } = counting();
    db.prepare('select 1').all([]);
    db.prepare('select 2').all([]);
    db.prepare('select 1').all([]);
    db.prepare('select 3').all([]); // full: starts over with `select 3`
    db.prepare('select 3').all([]);
    db.prepare('select 1').all([]);
    expect(prepared()).toBe(4);
  });

  it('never hands out a statement that is still iterating', () => {
    const { db } = counting();
    db.prepare('create table t (x integer)').run([]);
    for (let i = 0; i < 3; i++) db.prepare('insert into t (x) values (?)').run([i]);
    const seen: unknown[] = [];
    for (const row of db.prepare('select x from t order by x').iterate([])) {
      seen.push(row);
      // The same SQL while the first statement is busy must work, not throw.
      expect(db.prepare('select x from t order by x').all([])).toHaveLength(3);
    }
    expect(seen).toHaveLength(3);
  });
});

/**
 * A prepared-statement cache in front of better-sqlite3 for Kysely's SQLite dialect.
 * Kysely prepares every query anew; parsing and planning the same SQL again was about
 * 10% of the hub's CPU under Send API load (bench/README.md). Statements are reused by
 * SQL text; past `capacity` distinct texts the cache starts over (Kysely's SQL varies
 * only with list lengths, so that is rare, and a lookup stays one Map.get). A statement
 * still iterating (a streamed query) is never handed out twice.
 */
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** The part of a better-sqlite3 database (and statement) Kysely uses. */
export interface SqlitePreparer {
  close(): void;
  prepare(sql: string): SqliteStatement & { readonly busy?: boolean };
}

export function withStatementCache(database: SqlitePreparer, capacity = 500): SqliteDatabase {
  const cache = new Map<string, SqliteStatement & { readonly busy?: boolean }>();
  return {
    close: () => {
      cache.clear();
      database.close();
    },
    prepare(sql: string): SqliteStatement {
      const hit = cache.get(sql);
      if (hit !== undefined && hit.busy !== true) return hit;
      const statement = database.prepare(sql);
      if (hit === undefined) {
        if (cache.size >= capacity) cache.clear();
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

/**
 * Embedded storage of a sandbox: one SQLite file per process (or `:memory:` in tests),
 * Kysely on top, and forward-only migrations tracked in `PRAGMA user_version`.
 */
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** An open database and the way to close it. */
export interface SqliteHandle<DB> {
  db: Kysely<DB>;
  close(): Promise<void>;
}

/**
 * Opens (creating if needed) a SQLite database and applies the migrations it has not seen.
 * @param file a path, or `:memory:`.
 * @param migrations SQL scripts, in order; index + 1 is the schema version after each.
 */
export function openSqlite<DB>(file: string, migrations: readonly string[]): SqliteHandle<DB> {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const version = Number(sqlite.pragma('user_version', { simple: true }));
  for (let i = version; i < migrations.length; i++) {
    sqlite.transaction(() => {
      sqlite.exec(migrations[i] as string);
      sqlite.pragma(`user_version = ${i + 1}`);
    })();
  }
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, close: () => db.destroy() };
}

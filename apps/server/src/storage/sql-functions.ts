/**
 * SQL functions that are spelled differently in each dialect, one implementation per dialect,
 * chosen when the storage is opened (db.ts: `storage.sql`), so features write one query for
 * both and never ask which database they run on.
 */
import { sql, type RawBuilder } from 'kysely';
import type { DialectName } from './migrations/index.js';

export interface SqlFunctions {
  /** Whether `term` occurs in the text column `column`: a plain substring, compared as stored (no patterns). */
  contains(column: string, term: string): RawBuilder<boolean>;
}

const sqliteFunctions: SqlFunctions = {
  contains: (column, term) => sql<boolean>`instr(${sql.ref(column)}, ${term}) > 0`,
};

const postgresFunctions: SqlFunctions = {
  contains: (column, term) => sql<boolean>`strpos(${sql.ref(column)}, ${term}) > 0`,
};

/** Each dialect's functions. */
export const SQL_FUNCTIONS: Readonly<Record<DialectName, SqlFunctions>> = {
  sqlite: sqliteFunctions,
  postgres: postgresFunctions,
};

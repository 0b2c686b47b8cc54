/**
 * What a write connection has run: statements that may have changed something and
 * statements that failed. The write queue reads it around each job it runs without a
 * savepoint (storage/write-queue.ts): a job that failed having neither written nor hit an SQL
 * error (a refused Send API call: unknown recipient, closed window, rate limit) left nothing
 * in the transaction, so the others go on without a rollback and without running again.
 *
 * The tally travels in band: a connection from storage/pg-pool.ts (PostgreSQL) or
 * storage/sqlite-tally.ts (SQLite) answers `TALLY_SQL` itself, with its live tally object and
 * without touching the database. A bare pg connection sends the comment, gets no rows, and
 * the write queue then treats every failure as a write; bare better-sqlite3 refuses it.
 */
import { CompiledQuery, type Transaction } from 'kysely';

export interface StatementTally {
  /** Statements other than a plain SELECT, counted when sent. */
  writes: number;
  /** Statements that failed. */
  errors: number;
}

export const TALLY_SQL = '-- confide: statement tally';

const PLAIN_SELECT = /^\s*select\b/i;
const LOCKING = /\bfor\s+(update|share|no\s+key\s+update|key\s+share)\b/i;

/**
 * Whether a statement can change anything a rollback would undo. Conservative: everything
 * but a SELECT without a locking clause counts (CTEs may modify data; raw SQL may be anything).
 */
export function mayWrite(sql: string): boolean {
  return !PLAIN_SELECT.test(sql) || LOCKING.test(sql);
}

const TALLY = CompiledQuery.raw(TALLY_SQL);

/** The connection's statement tally, when its driver keeps one (storage/write-queue.ts reads it around a job). */
export async function statementTally<DB>(trx: Transaction<DB>): Promise<StatementTally | undefined> {
  const row = (await trx.executeQuery<StatementTally>(TALLY)).rows[0];
  return row !== undefined && typeof row.writes === 'number' ? row : undefined;
}

/**
 * COMMIT sent right behind a transaction's last statement, without waiting for its answer: one
 * round trip fewer per group commit on PostgreSQL, whose connections pipeline (storage/pg-pool.ts).
 * The write queue asks for it before the set-based batch it writes last (write-queue.ts), and the
 * PostgreSQL timeline store passes the request on just before its one batch statement
 * (timeline-postgres.ts), by an in-band statement the pool's connection answers itself, as it
 * answers the statement tally (statement-tally.ts). A connection that does not know the marker
 * (SQLite, a bare pg connection) answers with no rows and COMMIT is sent as usual.
 *
 * Why this is safe: if the statement fails, PostgreSQL aborts the transaction and the COMMIT
 * behind it ends in ROLLBACK, so nothing of it is kept and the write queue may run its jobs again.
 * If the COMMIT's own answer is missing (a link cut, a query timeout), whether it committed is
 * not known: the statement's failure then becomes a `CommitOutcomeUnknownError`, which the write
 * queue does not run again (a second run could write the messages twice); it fails the jobs, as a
 * lost answer to a plain COMMIT does.
 */
import { CompiledQuery, type Kysely } from 'kysely';

export const COMMIT_AFTER_NEXT_SQL = '-- confide: commit after the next statement';

const MARKER = CompiledQuery.raw(COMMIT_AFTER_NEXT_SQL);

/** Asks the connection of `db` (a transaction) to send COMMIT right behind the next statement; whether it will. */
export async function commitAfterNext<DB>(db: Kysely<DB>): Promise<boolean> {
  const row = (await db.executeQuery<{ pipelined?: unknown }>(MARKER)).rows[0];
  return row !== undefined && row.pipelined === true;
}

/** The last statement failed and the COMMIT sent behind it got no answer: it may have committed. */
export class CommitOutcomeUnknownError extends Error {
  readonly code: unknown;
  constructor(statementError: unknown, commitError: unknown) {
    const cause = commitError instanceof Error ? commitError : new Error(String(commitError));
    super(`transaction outcome unknown (its COMMIT was already sent): ${cause.message}`, { cause: statementError });
    this.name = 'CommitOutcomeUnknownError';
    this.code = (cause as { code?: unknown }).code;
  }
}

export function isCommitOutcomeUnknown(err: unknown): err is CommitOutcomeUnknownError {
  return err instanceof CommitOutcomeUnknownError;
}

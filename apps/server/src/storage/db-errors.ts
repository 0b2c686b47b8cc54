/**
 * One classifier for database errors worth running again, shared by the write queue and
 * the workers that retry around it. Codes are PostgreSQL SQLSTATEs and better-sqlite3's.
 */

/** The SQLSTATE (PostgreSQL) or result code (better-sqlite3) of a driver error, if any. */
export function sqlState(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
}

/** PostgreSQL: the transaction lost a deadlock (40P01) or a serialization conflict (40001); running it again may succeed. */
export function isLockConflict(err: unknown): boolean {
  const code = sqlState(err);
  return code === '40P01' || code === '40001';
}

/** A lock conflict, or SQLite still busy after its busy_timeout: transient, worth a retry after a short wait. */
export function isTransientDbError(err: unknown): boolean {
  return isLockConflict(err) || sqlState(err) === 'SQLITE_BUSY';
}

/**
 * A statement ran in a transaction an earlier error had aborted, not that statement's fault:
 * PostgreSQL's 25P02, or SQLite's SQLITE_ABORT_ROLLBACK (the transaction rolled back by SQLite
 * after an error such as SQLITE_FULL; storage/sqlite-tally.ts). Other SQLite errors undo only
 * their own statement: the transaction goes on, so they are the failing statement's own.
 */
export function isAbortedTransaction(err: unknown): boolean {
  const code = sqlState(err);
  return code === '25P02' || code === 'SQLITE_ABORT_ROLLBACK';
}

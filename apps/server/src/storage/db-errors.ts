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

/** PostgreSQL: a statement ran in a transaction an earlier error had aborted (25P02; not that statement's fault). */
export function isAbortedTransaction(err: unknown): boolean {
  return sqlState(err) === '25P02';
}

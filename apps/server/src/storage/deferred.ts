/**
 * Deferred statements: statements of a transaction whose answer nobody needs before the
 * transaction's next statement that is waited for. The SQLite set-based batch
 * (timeline-sqlite.ts) writes with them: its statements read nothing the batch needs before
 * COMMIT (each event's cursor is computed in SQL from its customer's counter), so on the
 * writer thread (sqlite-writer/) they go with the COMMIT Kysely sends after the transaction's
 * callback, in one message, and their answers come back with the COMMIT's: one round trip for
 * the batch and its COMMIT instead of one per statement. A PostgreSQL connection (pg-pool.ts)
 * sends them with the transaction's next statement, in one socket write: the Send API's read of
 * the pages' apps goes with its recipients' read (timeline-routes-postgres.ts).
 *
 * A deferrable statement's SQL starts with the `DEFERRABLE` comment, so the SQL is the same on
 * every connection: in process (and anywhere else) it runs at once as any statement, and its
 * result is the answer. The writer thread's connection (writer-dialect.ts), in a transaction,
 * queues it and resolves at once with no rows and `answer`, the promise of its real result.
 *
 * Failure: on the thread, a deferred statement that fails fails every later statement until
 * the rollback (protocol.ts), so the COMMIT sent with it fails and nothing of the transaction
 * commits; `answer` rejects with the statement's own error, before the COMMIT's answer comes.
 * In process, the statement throws at once. Either way the caller learns of it through
 * `answerOf` (timeline-batch.ts `answered`, which the write queue waits for after the
 * transaction, to tell a failed batch from a failed job: write-queue.ts).
 */
import type { QueryResult } from 'kysely';

/** The comment a deferrable statement's SQL starts with. */
export const DEFERRABLE = '/* confide: deferrable */ ';

/** A statement's result; `answer` when the connection deferred it (the thread's). */
export interface DeferredResult<R> extends QueryResult<R> {
  readonly answer?: Promise<QueryResult<R>>;
}

/**
 * Answers of deferred statements filed under their results' rows, by a connection whose driver
 * passes on nothing else of a result (Kysely's PostgreSQL driver: pg-pool.ts).
 */
const answersByRows = new WeakMap<object, Promise<QueryResult<unknown>>>();

/** The (empty) rows of a deferred statement's result, under which `answerOf` finds `answer`. */
export function deferredRows<R>(answer: Promise<QueryResult<R>>): R[] {
  const rows: R[] = [];
  answersByRows.set(rows, answer as Promise<QueryResult<unknown>>);
  return rows;
}

/** The statement's real result: now (it ran) or when its answer comes. */
export function answerOf<R>(result: DeferredResult<R>): Promise<QueryResult<R>> {
  const filed = answersByRows.get(result.rows) as Promise<QueryResult<R>> | undefined;
  return result.answer ?? filed ?? Promise.resolve(result);
}

/** Whether `sql` may be deferred. */
export const isDeferrable = (sql: string): boolean => sql.startsWith(DEFERRABLE);

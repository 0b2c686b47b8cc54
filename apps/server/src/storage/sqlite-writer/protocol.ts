/**
 * The messages between the main thread and the SQLite writer thread (sqlite-writer/). Plain
 * data; the thread answers in the order it was asked, and every answer carries the id of its
 * request so the main side can check that. A message carries one request or several (below);
 * the thread answers a message of several with one message: the array of their answers.
 */

/** What the writer thread is started with (`workerData`). */
export interface WriterData {
  /** The SQLite file. */
  file: string;
  pragmas: readonly string[];
  /** better-sqlite3's entry point, resolved by the main thread (the thread runs eval'd code). */
  driverPath: string;
  /** Tests only (NODE_ENV=test): the thread throws at the first statement containing this text ('' never). */
  crashOn: string;
}

/**
 * A statement to run, or `close` (sql undefined): close the connection and stop.
 * A message carries one request, or an array: pipelined and deferred requests and the one
 * after them that the main side waits for.
 * `pipelined`: the main side did not wait for it (a savepoint or its release: writer-dialect.ts)
 * and gets an answer only if it fails; the thread then fails every later statement with that
 * error until a `rollback`, so the transaction it was in cannot commit.
 * `deferred`: the main side did not wait for it either, but wants its answer, which comes with
 * the answers of its message (storage/deferred.ts: a set-based batch's statements, sent with
 * the transaction's COMMIT). A failure fails every later statement as a pipelined one does,
 * so the COMMIT after it fails and nothing of the transaction is committed.
 */
export interface WriterRequest {
  id: number;
  sql?: string;
  parameters?: readonly unknown[];
  pipelined?: true;
  deferred?: true;
}

/** The answer: rows (a reader), changes (any other statement), or an error (`pipelined`: of a statement nobody waits for). */
export type WriterReply =
  | { id: number; rows: unknown[] }
  | { id: number; changes: number; lastInsertRowid: number | bigint }
  | { id: number; error: string; code: unknown; pipelined?: true }
  | { id: number; closed: true };

/** The first message of the thread: its connection is open (or `error` when it is not). */
export interface WriterReady {
  id: 0;
  ready: true;
}

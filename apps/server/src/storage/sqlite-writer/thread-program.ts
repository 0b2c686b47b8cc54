/**
 * What runs on the SQLite writer thread: it opens the write connection of the hub's SQLite
 * file with the hub's pragmas and statement cache, then runs each statement it is sent, in
 * order, and answers rows, changes or the error (its message and SQLite code).
 *
 * The thread runs this function's source, evaluated (`new Worker(source, { eval: true })`):
 * the hub's tests run on the TypeScript sources, which a worker thread could not load as a
 * file, while a function's source is plain JavaScript in both the tests and the build. So
 * the function refers to nothing outside itself: what it needs comes as arguments.
 *
 * A pipelined statement (protocol.ts) is answered only when it fails, a deferred one always;
 * the failure of either fails every later statement until a `rollback`: whoever sent it
 * without waiting learns of it at the next statement it waits for, and the transaction cannot
 * commit (a set-based batch sent with its COMMIT: the COMMIT fails). The answers to a message
 * of several requests go back as one message.
 *
 * SQLite answers some errors (SQLITE_FULL, IOERR, NOMEM) by rolling the whole transaction back.
 * Statements after that would each run and commit on their own, outside any transaction, so
 * once the transaction is gone every statement fails (SQLITE_ABORT_ROLLBACK, as the in-process
 * connection's storage/sqlite-tally.ts answers) until the `rollback`, which is then answered
 * without running: there is nothing left to roll back.
 */
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import type { MessagePort } from 'node:worker_threads';
import { withStatementCache } from '../statement-cache.js';
import type { WriterData, WriterReply, WriterRequest } from './protocol.js';

interface RawDatabase {
  readonly inTransaction: boolean;
  pragma(source: string): unknown;
  close(): void;
  prepare(sql: string): SqliteStatement & { readonly busy?: boolean };
}

interface ProgramDeps {
  port: MessagePort;
  data: WriterData;
  Database: new (file: string) => RawDatabase;
  cache: typeof withStatementCache;
  execute: typeof execute;
}

/** Runs one statement on the thread's connection: its rows (a reader) or its changes. */
export function execute(db: SqliteDatabase, sql: string, request: WriterRequest): WriterReply {
  const statement = db.prepare(sql);
  if (statement.reader) return { id: request.id, rows: statement.all(request.parameters ?? []) as unknown[] };
  const { changes, lastInsertRowid } = statement.run(request.parameters ?? []);
  return { id: request.id, changes: Number(changes), lastInsertRowid };
}

export function writerProgram({ port, data, Database, cache, execute }: ProgramDeps): void {
  const raw = new Database(data.file);
  for (const pragma of data.pragmas) raw.pragma(pragma);
  const db: SqliteDatabase = cache(raw);
  /** The failure of a pipelined or deferred statement: every statement fails with it until a rollback. */
  let poison: { error: string; code: unknown } | undefined;
  /** A `begin` ran and no `commit` or `rollback` since. */
  let open = false;
  /** `close` ran: the port closes once its answer is sent. A message of several is answered with one (in order). */
  let closed = false;
  /** Runs a statement: its answer, or undefined for a pipelined statement that succeeded (or was refused). */
  const run = (request: WriterRequest): WriterReply | undefined => {
    const { id, sql, pipelined } = request;
    if (sql === undefined) {
      db.close();
      closed = true;
      return { id, closed: true };
    }
    if (data.crashOn !== '' && sql.includes(data.crashOn))
      throw new Error('SQLite writer thread: crash requested by the test hook');
    if (sql === 'rollback') {
      poison = undefined;
      if (open && !raw.inTransaction) {
        // Nothing to roll back: SQLite has done it already (see above).
        open = false;
        return pipelined === true ? undefined : { id, changes: 0, lastInsertRowid: 0 };
      }
    } else if (poison !== undefined) return pipelined === true ? undefined : { id, ...poison };
    try {
      const reply = execute(db, sql, request);
      if (sql === 'begin' || sql === 'commit' || sql === 'rollback') open = sql === 'begin';
      return pipelined === true ? undefined : reply;
    } catch (err) {
      const { message, code } = err as { message?: unknown; code?: unknown };
      const error = String(message);
      if (open && !raw.inTransaction)
        poison = {
          error: 'the transaction was rolled back by SQLite after an earlier error',
          code: 'SQLITE_ABORT_ROLLBACK',
        };
      // Nobody waited for it: the statements after it must not run without it.
      if (pipelined === true || request.deferred === true)
        poison = { error: `${error} (in an earlier statement: ${sql})`, code };
      return pipelined === true ? { id, error, code, pipelined } : { id, error, code };
    }
  };
  port.on('message', (message: WriterRequest | WriterRequest[]) => {
    const replies = (Array.isArray(message) ? message : [message]).map(run).filter((r) => r !== undefined);
    if (replies.length > 0) port.postMessage(Array.isArray(message) ? replies : replies[0]);
    if (closed) port.close();
  });
  port.postMessage({ id: 0, ready: true });
}

/** The source the thread evaluates: its requires, then `writerProgram` called with them. */
export function threadSource(): string {
  return [
    // Sources transformed for the tests may wrap functions in this helper to keep their names.
    'const __name = (target) => target;',
    "const { parentPort, workerData } = require('node:worker_threads');",
    `const cache = ${withStatementCache.toString()};`,
    `const execute = ${execute.toString()};`,
    `(${writerProgram.toString()})({ port: parentPort, data: workerData, Database: require(workerData.driverPath), cache, execute });`,
  ].join('\n');
}

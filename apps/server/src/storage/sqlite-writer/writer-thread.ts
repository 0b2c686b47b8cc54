/**
 * The main thread's handle on the SQLite writer thread (thread-program.ts): it starts the
 * thread, sends it one message per statement (a request id, the SQL, the parameters) and
 * settles the statement's promise with the answer. Statements sent without waiting ride along
 * with the next one that is waited for, in one message, and their answers come back in one:
 * pipelined ones (a savepoint, its release), answered only when they fail, and deferred ones
 * (a set-based batch's statements, storage/deferred.ts), whose answers come with the waited
 * one's (the transaction's COMMIT). A message to the other thread costs far more than its
 * content (~30 µs of the main thread on the bench machine, most of it waking the thread), and
 * each round trip waits for a turn of the main thread's event loop: a group commit of Send API
 * messages is two round trips and a few reads instead of one per statement. The thread answers
 * in order, so the pending statements are a queue; an answer whose id is not the head's is a
 * broken thread.
 *
 * Errors come back as better-sqlite3's `SqliteError` with the thread's message and SQLite
 * code (`SQLITE_CONSTRAINT_UNIQUE`, `SQLITE_BUSY`, …), which storage/db-errors.ts, the
 * HTTP error mapping and the callers' unique-constraint checks test for. Values cross as
 * structured clones: a BLOB comes back as a Uint8Array, not a Buffer (the schema has none).
 *
 * A thread that stops without being asked to (an exception in it, or an exit) is fatal:
 * every pending statement is rejected, later ones fail at once, and `onFatal` is called once
 * (hub.ts logs and ends the process: the hub must not run on half alive).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import type { QueryResult } from 'kysely';
import type { StatementTally } from '../statement-tally.js';
import { SQLITE_PRAGMAS } from './pragmas.js';
import type { WriterData, WriterReady, WriterReply, WriterRequest } from './protocol.js';
import { threadSource } from './thread-program.js';

interface Pending {
  id: number;
  resolve: (result: QueryResult<unknown>) => void;
  reject: (err: unknown) => void;
}

export interface WriterThreadOptions {
  /** The SQLite file. */
  file: string;
  /** The connection's settings; the hub's SQLite file's (pragmas.ts) unless given (the keystore's file). */
  pragmas?: readonly string[];
  /** The thread stopped without being asked to. */
  onFatal: (err: Error) => void;
}

/**
 * Tests only: `CONFIDE_TEST_WRITER_CRASH_ON=text` makes the thread throw at the first statement
 * whose SQL contains `text` (test/process/writer-thread.test.ts). Ignored unless NODE_ENV=test.
 */
function crashOn(): string {
  return process.env['NODE_ENV'] === 'test' ? (process.env['CONFIDE_TEST_WRITER_CRASH_ON'] ?? '') : '';
}

// The executor of every statement's promise: no closure per statement.
let captured: Omit<Pending, 'id'> | undefined;
function capture(resolve: Pending['resolve'], reject: Pending['reject']): void {
  captured = { resolve, reject };
}

export class WriterThread {
  /**
   * The connection's statement tally (storage/statement-tally.ts): the driver counts the
   * statements that may write when it sends them, the thread's answers count the failures.
   */
  readonly tally: StatementTally = { writes: 0, errors: 0 };
  readonly #worker: Worker;
  readonly #pending: Pending[] = [];
  /** Pipelined statements not sent yet. */
  #unsent: WriterRequest[] = [];
  readonly #onFatal: (err: Error) => void;
  #nextId = 1;
  #dead: Error | undefined;
  #closing = false;
  #started: { resolve: () => void; reject: (err: Error) => void } | undefined;
  #exited: Promise<void>;

  /** Starts the thread; resolves once its connection is open. */
  static async start(options: WriterThreadOptions): Promise<WriterThread> {
    const thread = new WriterThread(options);
    await new Promise<void>((resolve, reject) => (thread.#started = { resolve, reject }));
    return thread;
  }

  private constructor(options: WriterThreadOptions) {
    this.#onFatal = options.onFatal;
    const workerData: WriterData = {
      file: options.file,
      pragmas: options.pragmas ?? SQLITE_PRAGMAS,
      driverPath: createRequire(import.meta.url).resolve('better-sqlite3'),
      crashOn: crashOn(),
    };
    this.#worker = new Worker(threadSource(), { eval: true, workerData });
    this.#worker.on('message', (reply: WriterReply | WriterReply[] | WriterReady) => {
      if (!Array.isArray(reply)) this.#answer(reply);
      else for (const one of reply) this.#answer(one);
    });
    this.#worker.on('error', (err) => this.#die(err));
    this.#exited = new Promise((resolve) =>
      this.#worker.once('exit', (code) => {
        this.#die(new Error(`the SQLite writer thread exited (code ${code})`));
        resolve();
      }),
    );
  }

  /** Runs one statement on the thread. */
  run(sql: string, parameters: readonly unknown[]): Promise<QueryResult<unknown>> {
    if (this.#dead !== undefined) return Promise.reject(this.#dead);
    const id = this.#nextId++;
    this.#send({ id, sql, parameters });
    const promise = new Promise<QueryResult<unknown>>(capture);
    const { resolve, reject } = captured as Omit<Pending, 'id'>;
    this.#pending.push({ id, resolve, reject });
    return promise;
  }

  /**
   * Queues a statement whose answer is wanted but not waited for (protocol.ts `deferred`): it
   * goes to the thread with the next statement that is waited for, in one message, and its
   * promise settles when the answers of that message come back. Its failure fails the
   * statements after it until a rollback, as a pipelined one's does.
   */
  defer(sql: string, parameters: readonly unknown[]): Promise<QueryResult<unknown>> {
    if (this.#dead !== undefined) return Promise.reject(this.#dead);
    const id = this.#nextId++;
    this.#unsent.push({ id, sql, parameters, deferred: true });
    const promise = new Promise<QueryResult<unknown>>(capture);
    const { resolve, reject } = captured as Omit<Pending, 'id'>;
    this.#pending.push({ id, resolve, reject });
    return promise;
  }

  /**
   * Queues a statement nobody waits for (protocol.ts `pipelined`): it goes to the thread with
   * the next statement that is waited for, in one message. Its failure fails that statement,
   * and every one after it until a rollback.
   */
  post(sql: string, parameters: readonly unknown[]): void {
    if (this.#dead !== undefined) return;
    this.#unsent.push({ id: this.#nextId++, sql, parameters, pipelined: true });
  }

  /** One message: the queued pipelined statements and `request`, in order. */
  #send(request: WriterRequest): void {
    if (this.#unsent.length === 0) {
      this.#worker.postMessage(request);
      return;
    }
    this.#unsent.push(request);
    this.#worker.postMessage(this.#unsent);
    this.#unsent = [];
  }

  /** Closes the connection (the last one to close checkpoints the WAL) and ends the thread. */
  async close(): Promise<void> {
    if (this.#dead === undefined && !this.#closing) {
      this.#closing = true;
      const id = this.#nextId++;
      const closed = new Promise<QueryResult<unknown>>(capture);
      const { resolve, reject } = captured as Omit<Pending, 'id'>;
      this.#pending.push({ id, resolve, reject });
      this.#send({ id });
      await closed.catch(() => undefined);
    }
    await this.#exited;
  }

  #answer(reply: WriterReply | WriterReady): void {
    if ('ready' in reply) {
      this.#started?.resolve();
      this.#started = undefined;
      return;
    }
    if ('pipelined' in reply) {
      this.tally.errors += 1;
      return;
    }
    const pending = this.#pending.shift();
    if (pending === undefined || pending.id !== reply.id) {
      this.#die(new Error(`the SQLite writer thread answered ${reply.id}, expected ${pending?.id}`));
      return;
    }
    if ('rows' in reply) pending.resolve({ rows: reply.rows });
    else if ('changes' in reply)
      pending.resolve({
        numAffectedRows: BigInt(reply.changes),
        insertId: BigInt(reply.lastInsertRowid),
        rows: [],
      });
    else if ('error' in reply) {
      this.tally.errors += 1;
      pending.reject(new SQLite.SqliteError(reply.error, reply.code as string));
    } else pending.resolve({ rows: [] });
  }

  /** The thread is gone: fatal unless `close()` asked for it. */
  #die(err: Error): void {
    if (this.#dead !== undefined) return;
    this.#dead = err;
    this.#unsent = [];
    for (const pending of this.#pending.splice(0)) pending.reject(err);
    if (this.#started !== undefined) {
      this.#started.reject(err);
      this.#started = undefined;
      return;
    }
    if (this.#closing) return;
    void this.#worker.terminate();
    this.#onFatal(err);
  }
}

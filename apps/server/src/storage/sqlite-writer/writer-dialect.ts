/**
 * Kysely over the SQLite writer thread (writer-thread.ts): the write queue's database on a
 * SQLite file (storage/db.ts). Its one connection sends every statement to the thread as
 * data and waits for the answer; a mutex hands the connection to one transaction (or one
 * statement) at a time, as Kysely's own SQLite driver does, and the main thread's reader
 * (split-dialect.ts) takes the same mutex for the writes it forwards here.
 *
 * Round trips: a statement is one message each way, except a transaction's BEGIN, savepoints
 * and releases, sent without waiting (pipelined, below), and its deferrable statements
 * (storage/deferred.ts: the set-based batch), sent with the next statement waited for, usually
 * the COMMIT, and answered with it. Each round trip waits for the main thread's event loop to
 * take the answer, so a transaction on the thread takes longer than in process while the main
 * thread is busy; it does not stop the main thread meanwhile.
 *
 * The connection keeps the statement tally of storage/statement-tally.ts on this side of the
 * thread, as storage/pg-pool.ts does on PostgreSQL: statements that may write are counted
 * when sent, failures when their answer comes back, and `TALLY_SQL` is answered here with
 * the live tally object, without a round trip.
 *
 * Visible ⇒ durable: the thread's connection commits with synchronous=FULL in WAL mode, so
 * SQLite syncs the WAL before it publishes the commit in the wal-index. A reader on the main
 * thread therefore sees only commits that are on disk, and a write is acknowledged only after
 * its COMMIT answered. (synchronous=NORMAL would publish a commit before the sync: a reader
 * could act on a message a power loss then erases. Keep FULL.)
 */
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';
import { isDeferrable, type DeferredResult } from '../deferred.js';
import { mayWrite, TALLY_SQL, type StatementTally } from '../statement-tally.js';
import type { WriterThread } from './writer-thread.js';

const BEGIN = CompiledQuery.raw('begin');
const COMMIT = CompiledQuery.raw('commit');
const ROLLBACK = CompiledQuery.raw('rollback');

/** A savepoint name as an SQL identifier. */
const quoted = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Statements sent in a transaction without waiting for their answer: its BEGIN, a savepoint
 * and its release (the write queue's two per job, storage/write-job.ts) have none worth a
 * round trip. Should one fail, the thread fails every later statement until the rollback
 * (protocol.ts): the next statement waited for fails, and the transaction cannot commit.
 */
const PIPELINED = /^(begin|(savepoint|release savepoint) "?\w+"?)$/;

export class WriterConnection implements DatabaseConnection {
  readonly #thread: WriterThread;
  readonly #tally: StatementTally;
  readonly #tallyResult: QueryResult<unknown>;
  /** Between BEGIN and COMMIT or ROLLBACK (set by the driver). */
  inTransaction = false;

  constructor(thread: WriterThread) {
    this.#thread = thread;
    this.#tally = thread.tally;
    this.#tallyResult = { rows: [this.#tally] };
  }

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const { sql, parameters } = compiledQuery;
    if (sql === TALLY_SQL) return Promise.resolve(this.#tallyResult as QueryResult<R>);
    if (mayWrite(sql)) this.#tally.writes += 1;
    if (this.inTransaction && PIPELINED.test(sql)) {
      this.#thread.post(sql, parameters);
      return Promise.resolve({ rows: [] });
    }
    if (this.inTransaction && isDeferrable(sql)) {
      const answer = this.#thread.defer(sql, parameters) as Promise<QueryResult<R>>;
      // Handled by whoever reads it (storage/deferred.ts); never an unhandled rejection.
      answer.catch(() => undefined);
      const result: DeferredResult<R> = { rows: [], answer };
      return Promise.resolve(result);
    }
    return this.#thread.run(sql, parameters) as Promise<QueryResult<R>>;
  }

  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('the SQLite writer thread does not stream; read on the main thread');
  }
}

/** One connection at a time, in the order asked (Kysely's SQLite driver does the same). */
class Mutex {
  #held: Promise<void> | undefined;
  #release: (() => void) | undefined;

  async lock(): Promise<void> {
    while (this.#held !== undefined) await this.#held;
    this.#held = new Promise<void>((resolve) => (this.#release = resolve));
  }

  unlock(): void {
    const release = this.#release;
    this.#held = undefined;
    this.#release = undefined;
    release?.();
  }
}

export class WriterDriver implements Driver {
  readonly #connection: WriterConnection;
  readonly #mutex = new Mutex();

  constructor(thread: WriterThread) {
    this.#connection = new WriterConnection(thread);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<WriterConnection> {
    await this.#mutex.lock();
    return this.#connection;
  }

  async beginTransaction(connection: WriterConnection): Promise<void> {
    connection.inTransaction = true;
    await connection.executeQuery(BEGIN);
  }

  async commitTransaction(connection: WriterConnection): Promise<void> {
    await connection.executeQuery(COMMIT);
    connection.inTransaction = false;
  }

  async rollbackTransaction(connection: WriterConnection): Promise<void> {
    connection.inTransaction = false;
    await connection.executeQuery(ROLLBACK);
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoted(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to savepoint ${quoted(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint ${quoted(name)}`));
  }

  async releaseConnection(): Promise<void> {
    this.#mutex.unlock();
  }

  /** The thread belongs to the storage that started it (storage/db.ts closes it). */
  async destroy(): Promise<void> {}
}

/** SQLite's compiler, adapter and introspector over a driver given (one driver may serve two Kysely instances). */
export class SqliteDialectOver implements Dialect {
  readonly #driver: Driver;

  constructor(driver: Driver) {
    this.#driver = driver;
  }

  createDriver(): Driver {
    return this.#driver;
  }

  createQueryCompiler(): SqliteQueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): SqliteAdapter {
    return new SqliteAdapter();
  }

  createIntrospector(db: Kysely<unknown>): SqliteIntrospector {
    return new SqliteIntrospector(db);
  }
}

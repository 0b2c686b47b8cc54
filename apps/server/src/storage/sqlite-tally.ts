/**
 * The statement tally (statement-tally.ts) on the in-process SQLite connection, kept the way
 * storage/pg-pool.ts keeps it on a PostgreSQL connection: the database Kysely gets answers
 * `TALLY_SQL` itself, with its live tally object and without touching SQLite; `writes` counts
 * the statements for which `mayWrite` holds, when they run; `errors` the statements that threw.
 * Each statement is wrapped once, when prepared (statement-cache.ts keeps the wrapper), so a
 * cached statement costs a counter and a try per call. With it SQLite's write queue runs jobs
 * without savepoints until one fails (storage/db.ts, write-queue.ts `optimistic`).
 *
 * SQLite keeps a transaction going after a failed statement (only that statement is undone),
 * but answers some errors (SQLITE_FULL, IOERR, NOMEM, BUSY at times) by rolling the whole
 * transaction back. Statements after that would each run and commit on their own, outside
 * any transaction; so once the transaction is gone, every statement but ROLLBACK fails with
 * SQLITE_ABORT_ROLLBACK (db-errors.ts `isAbortedTransaction`) until Kysely rolls back.
 */
import type { SqliteStatement } from 'kysely';
import type { SqlitePreparer } from './statement-cache.js';
import { mayWrite, TALLY_SQL, type StatementTally } from './statement-tally.js';

/** better-sqlite3's database as this wrapper uses it. */
export interface TalliedDatabase extends SqlitePreparer {
  /** Whether a transaction is open on the connection (better-sqlite3 `inTransaction`). */
  readonly inTransaction: boolean;
}

/** A statement refused because SQLite had rolled back the transaction it was meant for. */
export class SqliteTransactionLostError extends Error {
  readonly code = 'SQLITE_ABORT_ROLLBACK';
  constructor() {
    super('the transaction was rolled back by SQLite after an earlier error');
    this.name = 'SqliteTransactionLostError';
  }
}

type Kind = 'begin' | 'end' | 'rollback' | 'other';
const kindOf = (sql: string): Kind => {
  const word = /^\s*(\w+)\s*;?\s*$/.exec(sql)?.[1]?.toLowerCase();
  if (word === 'begin') return 'begin';
  if (word === 'rollback') return 'rollback';
  return word === 'commit' || word === 'end' ? 'end' : 'other';
};

/** The connection's state: its tally, and whether SQLite rolled back the open transaction. */
class Connection {
  readonly tally: StatementTally = { writes: 0, errors: 0 };
  /** A transaction was begun here and has not ended. */
  open = false;
  /** SQLite rolled it back after an error: refuse statements until ROLLBACK. */
  lost = false;
  readonly database: TalliedDatabase;
  constructor(database: TalliedDatabase) {
    this.database = database;
  }

  failed(err: unknown): unknown {
    this.tally.errors += 1;
    if (this.open && !this.lost && !this.database.inTransaction) this.lost = true;
    return err;
  }
}

const NO_CHANGES = { changes: 0, lastInsertRowid: 0 };

class TalliedStatement implements SqliteStatement {
  readonly reader: boolean;
  readonly #statement: SqliteStatement & { readonly busy?: boolean };
  readonly #connection: Connection;
  readonly #writes: boolean;
  readonly #kind: Kind;

  constructor(statement: SqliteStatement & { readonly busy?: boolean }, sql: string, connection: Connection) {
    this.reader = statement.reader;
    this.#statement = statement;
    this.#connection = connection;
    this.#writes = mayWrite(sql);
    this.#kind = kindOf(sql);
  }

  /** Still iterating (statement-cache.ts never hands a busy statement out twice). */
  get busy(): boolean | undefined {
    return this.#statement.busy;
  }

  all(parameters: ReadonlyArray<unknown>): unknown[] {
    this.#start();
    try {
      return this.#statement.all(parameters);
    } catch (err) {
      throw this.#connection.failed(err);
    }
  }

  run(parameters: ReadonlyArray<unknown>): { changes: number | bigint; lastInsertRowid: number | bigint } {
    const connection = this.#connection;
    // The transaction SQLite rolled back is over already: Kysely's ROLLBACK has nothing to do.
    if (this.#kind === 'rollback' && connection.lost) {
      connection.lost = connection.open = false;
      return NO_CHANGES;
    }
    this.#start();
    try {
      const result = this.#statement.run(parameters);
      if (this.#kind !== 'other') connection.open = this.#kind === 'begin';
      return result;
    } catch (err) {
      throw connection.failed(err);
    }
  }

  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    this.#start();
    try {
      return countErrors(this.#statement.iterate(parameters), this.#connection);
    } catch (err) {
      throw this.#connection.failed(err);
    }
  }

  #start(): void {
    const connection = this.#connection;
    if (this.#writes) connection.tally.writes += 1;
    if (!connection.lost) return;
    if (this.#kind === 'begin') connection.lost = connection.open = false;
    else throw connection.failed(new SqliteTransactionLostError());
  }
}

function* countErrors(rows: IterableIterator<unknown>, connection: Connection): IterableIterator<unknown> {
  try {
    yield* rows;
  } catch (err) {
    throw connection.failed(err);
  }
}

/** Wraps `database` so its statements keep the tally and `TALLY_SQL` is answered with it. */
export function withStatementTally(database: TalliedDatabase): SqlitePreparer {
  const connection = new Connection(database);
  const tallyRows = [connection.tally];
  const tallyStatement: SqliteStatement = {
    reader: true,
    all: () => tallyRows,
    run: () => NO_CHANGES,
    iterate: () => tallyRows[Symbol.iterator](),
  };
  return {
    close: () => database.close(),
    prepare(sql: string) {
      if (sql === TALLY_SQL) return tallyStatement;
      let statement: ReturnType<TalliedDatabase['prepare']>;
      try {
        statement = database.prepare(sql);
      } catch (err) {
        // SQL SQLite cannot prepare (a syntax error, a missing table) fails like a statement.
        throw connection.failed(err);
      }
      return new TalliedStatement(statement, sql, connection);
    },
  };
}

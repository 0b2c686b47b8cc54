/**
 * `storage.db` on a SQLite file when the writer thread runs (storage/db.ts): plain reads run
 * on a connection of the main thread, a WAL reader that never waits for a write transaction
 * in progress; everything else goes to the writer thread (writer-dialect.ts), in turn with
 * the write queue's transactions, so this connection never takes SQLite's write lock itself.
 * (It must not: a main thread waiting in SQLite's busy handler for the write lock could not
 * send the writer thread the statements that would end the transaction holding it.)
 *
 * - Outside a transaction, a statement that `mayWrite` (anything but a plain SELECT:
 *   storage/statement-tally.ts) takes the writer for itself; a plain SELECT reads here, and
 *   sees every commit that answered (visible ⇒ durable, writer-dialect.ts).
 * - A transaction (migrations, a store's own transaction) holds the writer from BEGIN until
 *   the connection is released: its reads see its writes.
 */
import {
  SelectQueryNode,
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type SqliteDatabase,
  type TransactionSettings,
} from 'kysely';
import { mayWrite } from '../statement-tally.js';
import type { WriterConnection, WriterDriver } from './writer-dialect.js';

/** The main thread's connection: a statement at a time, synchronously (better-sqlite3). */
function readOn<R>(db: SqliteDatabase, compiledQuery: CompiledQuery): QueryResult<R> {
  const statement = db.prepare(compiledQuery.sql);
  if (statement.reader) return { rows: statement.all(compiledQuery.parameters) as R[] };
  // Only plain SELECTs come here; should another statement ever, it still answers correctly.
  const { changes, lastInsertRowid } = statement.run(compiledQuery.parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

class SplitConnection implements DatabaseConnection {
  readonly #reader: SqliteDatabase;
  readonly #writer: WriterDriver;
  /** The writer's connection while this one holds it (in a transaction). */
  held: WriterConnection | undefined;

  constructor(reader: SqliteDatabase, writer: WriterDriver) {
    this.#reader = reader;
    this.#writer = writer;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    if (this.held !== undefined) return this.held.executeQuery<R>(compiledQuery);
    if (!mayWrite(compiledQuery.sql)) return readOn<R>(this.#reader, compiledQuery);
    const writer = await this.#writer.acquireConnection();
    try {
      return await writer.executeQuery<R>(compiledQuery);
    } finally {
      await this.#writer.releaseConnection();
    }
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (this.held !== undefined || !SelectQueryNode.is(compiledQuery.query))
      throw new Error('only a SELECT outside a transaction streams on SQLite');
    const statement = this.#reader.prepare(compiledQuery.sql);
    for (const row of statement.iterate(compiledQuery.parameters)) yield { rows: [row as R] };
  }
}

export class SplitDriver implements Driver {
  readonly #reader: SqliteDatabase;
  readonly #writer: WriterDriver;

  constructor(reader: SqliteDatabase, writer: WriterDriver) {
    this.#reader = reader;
    this.#writer = writer;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<SplitConnection> {
    return new SplitConnection(this.#reader, this.#writer);
  }

  async beginTransaction(connection: SplitConnection, settings: TransactionSettings): Promise<void> {
    connection.held = await this.#writer.acquireConnection();
    await this.#writer.beginTransaction(connection.held);
    void settings;
  }

  async commitTransaction(connection: SplitConnection): Promise<void> {
    await this.#writer.commitTransaction(this.#held(connection));
  }

  async rollbackTransaction(connection: SplitConnection): Promise<void> {
    await this.#writer.rollbackTransaction(this.#held(connection));
  }

  async savepoint(connection: SplitConnection, name: string): Promise<void> {
    await this.#writer.savepoint(this.#held(connection), name);
  }

  async rollbackToSavepoint(connection: SplitConnection, name: string): Promise<void> {
    await this.#writer.rollbackToSavepoint(this.#held(connection), name);
  }

  async releaseSavepoint(connection: SplitConnection, name: string): Promise<void> {
    await this.#writer.releaseSavepoint(this.#held(connection), name);
  }

  /** Gives the writer back when the connection held it (a transaction, ended or not). */
  async releaseConnection(connection: SplitConnection): Promise<void> {
    if (connection.held === undefined) return;
    connection.held = undefined;
    await this.#writer.releaseConnection();
  }

  async destroy(): Promise<void> {
    this.#reader.close();
  }

  #held(connection: SplitConnection): WriterConnection {
    if (connection.held === undefined) throw new Error('no transaction on this connection');
    return connection.held;
  }
}

/**
 * Where wrapped data keys live, apart from the data they protect. With SQLite the
 * keystore is its own file (`DATA_DIR/keys.db`, `secure_delete`, a write-ahead log that is
 * checkpointed and truncated after every deletion), so a copy of `confide.db` never holds
 * a key, and erasing a key overwrites it in place and leaves no old copy in a log. With
 * PostgreSQL it is the `privacy_keys` table, reached over its own small pool so key
 * look-ups never wait behind a write transaction. See docs/privacy.md for what each
 * guarantees against copies and backups.
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { BATCH_SQL, batchParameter, batchResult, KeyWriter, type BatchResult } from './keystore-writer.js';
import { ContentErasedError } from './purposes.js';

/** One key: a customer data key wrapped by the KEK, or a conversation's key salt. */
export interface KeyRecord {
  /** `customer:<id>`, `conversation:<id>` or `hub:<name>`. */
  scope: string;
  customerId: string | null;
  /** Fingerprint of the KEK that wrapped `material`; null for salts (not secret on their own). */
  kekId: string | null;
  /** base64url. */
  material: string;
  createdAt: number;
}

export interface KeyStore {
  readonly location: string;
  get(scope: string): Promise<KeyRecord | undefined>;
  /** The keys of these scopes that exist, by scope: one read for a batch of first contacts. */
  getMany(scopes: readonly string[]): Promise<Map<string, KeyRecord>>;
  /**
   * Inserts unless the scope already has a key (another writer won the race); returns the
   * key the scope holds after the insert (this one or the winner's), so callers need not
   * read it back.
   * @throws ContentErasedError when the record's customer was erased (a send racing the
   * erasure must not leave an orphan key behind).
   */
  insertIfAbsent(record: KeyRecord): Promise<KeyRecord>;
  /**
   * `insertIfAbsent` for a batch, committed now rather than with the next group of inserts
   * (the batch is the group): what each scope holds afterwards, or why it was refused.
   */
  insertManyIfAbsent(records: readonly KeyRecord[]): Promise<InsertOutcome[]>;
  deleteScope(scope: string): Promise<number>;
  /**
   * Deletes every key of a customer (data key and conversation salts) and, atomically with
   * it, leaves a tombstone: no key of that customer is ever created again.
   */
  deleteCustomer(customerId: string): Promise<number>;
  /** Every KEK-wrapped key (rotation). */
  listWrapped(): Promise<KeyRecord[]>;
  /** Fingerprints of the KEKs that wrapped the stored keys (checked at start). */
  wrappingKekIds(): Promise<string[]>;
  /** Replaces a wrapped key's material (rotation: same key, new KEK). */
  rewrap(scope: string, kekId: string, material: string): Promise<void>;
  close(): Promise<void>;
}

/** What an insert of a batch came to: the key the scope holds, or the error that refused it. */
export type InsertOutcome = { record: KeyRecord } | { error: unknown };

export interface KeyRow {
  scope: string;
  customer_id: string | null;
  kek_id: string | null;
  material: string;
  created_at: number;
}

export const toRecord = (r: KeyRow): KeyRecord => ({
  scope: r.scope,
  customerId: r.customer_id,
  kekId: r.kek_id,
  material: r.material,
  createdAt: Number(r.created_at),
});

/**
 * The keystore file's settings. WAL keeps key look-ups cheap (a rollback journal costs file
 * locking and a journal check on every read: 8% of the hub's time when contacting many
 * customers at once). secure_delete zeroes a deleted key in its page, and #scrubLog()
 * checkpoints that page into the file and truncates the log right after every deletion, so
 * no old copy of the page stays in keys.db-wal.
 */
const KEYSTORE_PRAGMAS = ['journal_mode = WAL', 'secure_delete = ON', 'synchronous = FULL', 'busy_timeout = 5000'];

export interface SqliteKeyStoreOptions {
  /** The insert thread stopped unasked or could not start: inserts commit on the main thread from then on. */
  onThreadStopped?: ((err: Error) => void) | undefined;
}

interface PendingInsert {
  record: KeyRecord;
  resolve: (stored: KeyRecord) => void;
  reject: (err: unknown) => void;
}

/**
 * The SQLite keystore: a separate database file (or in memory for in-memory hubs). A file's
 * key inserts commit on a thread of their own (keystore-writer.ts), one batch at a time.
 */
export class SqliteKeyStore implements KeyStore {
  readonly location: string;
  readonly #db: SQLite.Database;
  readonly #file: string | null;
  /** The insert thread, started at the first insert into a file; undefined once it failed (inserts then run here). */
  #writer: Promise<KeyWriter | undefined> | undefined;
  #writerFailed = false;
  readonly #onThreadStopped: ((err: Error) => void) | undefined;
  /** The batch being committed on the insert thread: the next one gathers meanwhile. */
  #flushing: Promise<void> | undefined;
  /**
   * Inserts waiting for the next keystore commit. Every commit of this file is an fsync, so
   * keys created concurrently (a business alerting thousands of customers for the first
   * time) share one transaction.
   */
  #pending: PendingInsert[] = [];
  /** Transactions that inserted keys (for tests and benchmarks). */
  insertCommits = 0;
  #byScope: SQLite.Statement | undefined;
  #byScopes: SQLite.Statement | undefined;
  #batchStatements: Record<keyof typeof BATCH_SQL, SQLite.Statement> | undefined;

  constructor(file: string | null, options: SqliteKeyStoreOptions = {}) {
    this.location = file ?? ':memory:';
    this.#file = file;
    this.#onThreadStopped = options.onThreadStopped;
    if (file !== null) fs.mkdirSync(path.dirname(file), { recursive: true });
    this.#db = new SQLite(this.location);
    for (const pragma of KEYSTORE_PRAGMAS) this.#db.pragma(pragma);
    this.#db.exec(`create table if not exists privacy_keys (
      scope text primary key,
      customer_id text,
      kek_id text,
      material text not null,
      created_at integer not null
    )`);
    this.#db.exec('create index if not exists privacy_keys_customer on privacy_keys (customer_id)');
    // Erased customers (ids only): key creation for them is refused in the insert's transaction.
    this.#db.exec(
      'create table if not exists privacy_erased_customers (customer_id text primary key, erased_at integer not null)',
    );
    if (file !== null) fs.chmodSync(file, 0o600);
  }

  async get(scope: string): Promise<KeyRecord | undefined> {
    this.#byScope ??= this.#db.prepare('select * from privacy_keys where scope = ?');
    const row = this.#byScope.get(scope) as KeyRow | undefined;
    return row === undefined ? undefined : toRecord(row);
  }

  async getMany(scopes: readonly string[]): Promise<Map<string, KeyRecord>> {
    return this.#readMany(scopes);
  }

  /** One statement for any number of scopes (a JSON list parameter). */
  #readMany(scopes: readonly string[]): Map<string, KeyRecord> {
    const found = new Map<string, KeyRecord>();
    if (scopes.length === 0) return found;
    this.#byScopes ??= this.#db.prepare('select * from privacy_keys where scope in (select value from json_each(?))');
    for (const row of this.#byScopes.all(JSON.stringify(scopes)) as KeyRow[]) found.set(row.scope, toRecord(row));
    return found;
  }

  insertIfAbsent(record: KeyRecord): Promise<KeyRecord> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ record, resolve, reject });
      if (this.#pending.length === 1 && this.#flushing === undefined) setImmediate(() => this.#flushInserts());
    });
  }

  insertManyIfAbsent(records: readonly KeyRecord[]): Promise<InsertOutcome[]> {
    const outcomes = records.map((record) =>
      this.insertIfAbsent(record).then(
        (stored) => ({ record: stored }),
        (error: unknown) => ({ error }),
      ),
    );
    // The batch (and any insert queued before it) in one commit, now.
    this.#flushInserts();
    return Promise.all(outcomes);
  }

  /**
   * Commits every pending insert in one transaction, set-based: one read of the batch's
   * erased customers, one multi-row insert, one read of the keys that were there already.
   * Each caller resolves after the commit. A file's batch commits on the insert thread; the
   * inserts arriving meanwhile wait for it, then form the next batch.
   */
  #flushInserts(): void {
    const batch = this.#pending;
    if (batch.length === 0 || this.#flushing !== undefined) return;
    this.#pending = [];
    if (this.#file !== null && !this.#writerFailed) {
      this.#flushing = this.#flushOnThread(this.#file, batch).finally(() => {
        this.#flushing = undefined;
        this.#flushInserts();
      });
      return;
    }
    let stored: BatchResult;
    try {
      // IMMEDIATE: the write lock is taken before the tombstone check, so an erasure in
      // another process (the CLI) cannot slip between the check and the insert.
      stored = this.#db.transaction(() => this.#insertBatch(batch.map((job) => job.record))).immediate();
      this.insertCommits += 1;
    } catch (err) {
      for (const job of batch) job.reject(err);
      return;
    }
    settle(batch, stored);
  }

  async #flushOnThread(file: string, batch: PendingInsert[]): Promise<void> {
    let stored: BatchResult;
    try {
      const writer = await (this.#writer ??= this.#startWriter(file));
      if (writer === undefined) {
        // No thread: the batch commits here, with what gathered meanwhile.
        this.#pending = [...batch, ...this.#pending];
        return;
      }
      stored = await writer.insertBatch(batch.map((job) => job.record));
      this.insertCommits += 1;
    } catch (err) {
      for (const job of batch) job.reject(err);
      return;
    }
    settle(batch, stored);
  }

  /** The insert thread; undefined (inserts then run here) when it cannot start or stops. */
  #startWriter(file: string): Promise<KeyWriter | undefined> {
    const failed = (err: Error) => {
      if (this.#writerFailed) return;
      this.#writerFailed = true;
      this.#writer = undefined;
      this.#onThreadStopped?.(err);
    };
    return KeyWriter.start(file, KEYSTORE_PRAGMAS, failed).catch((err: unknown) => {
      failed(err instanceof Error ? err : new Error(String(err)));
      return undefined;
    });
  }

  /** Inside the transaction: what each record's scope holds afterwards, or `erased` (keystore-writer.ts). */
  #insertBatch(records: readonly KeyRecord[]): BatchResult {
    const statements = (this.#batchStatements ??= {
      erasedAmong: this.#db.prepare(BATCH_SQL.erasedAmong),
      insert: this.#db.prepare(BATCH_SQL.insert),
      notStored: this.#db.prepare(BATCH_SQL.notStored),
    });
    const rows = batchParameter(records);
    const erased = statements.erasedAmong.all(rows);
    statements.insert.run(rows);
    return batchResult(records, erased, statements.notStored.all(rows));
  }

  async deleteScope(scope: string): Promise<number> {
    const n = this.#db.prepare('delete from privacy_keys where scope = ?').run(scope).changes;
    await this.#scrubLog();
    return n;
  }

  async deleteCustomer(customerId: string): Promise<number> {
    const tombstone = this.#db.prepare(
      'insert into privacy_erased_customers (customer_id, erased_at) values (?, ?) on conflict do nothing',
    );
    const remove = this.#db.prepare('delete from privacy_keys where customer_id = ?');
    const n = this.#db
      .transaction(() => {
        tombstone.run(customerId, Date.now());
        return remove.run(customerId).changes;
      })
      .immediate();
    await this.#scrubLog();
    return n;
  }

  async listWrapped(): Promise<KeyRecord[]> {
    return (
      this.#db.prepare('select * from privacy_keys where kek_id is not null order by scope').all() as KeyRow[]
    ).map(toRecord);
  }

  async wrappingKekIds(): Promise<string[]> {
    return (
      this.#db.prepare('select distinct kek_id from privacy_keys where kek_id is not null').all() as Array<{
        kek_id: string;
      }>
    ).map((r) => r.kek_id);
  }

  async rewrap(scope: string, kekId: string, material: string): Promise<void> {
    this.#db.prepare('update privacy_keys set kek_id = ?, material = ? where scope = ?').run(kekId, material, scope);
    // The copy wrapped by the old KEK must not outlive the rotation in the log either.
    await this.#scrubLog();
  }

  /**
   * Copies every logged page (deleted keys already zeroed by secure_delete) into keys.db and
   * truncates keys.db-wal to nothing. Another process reading keys.db at that moment (the CLI)
   * can hold it up briefly; it is retried for up to 5 seconds, then the erasure reports failure.
   */
  async #scrubLog(): Promise<void> {
    if (this.location === ':memory:') return;
    for (let attempt = 0; ; attempt++) {
      const [result] = this.#db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
      if (result === undefined || result.busy === 0) return;
      if (attempt >= 50)
        throw new Error(
          'keystore: the write-ahead log could not be truncated after a key deletion (keys.db is busy); retry the erasure',
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async close(): Promise<void> {
    // Every insert asked for is committed (here or on the thread) before the file closes.
    for (;;) {
      this.#flushInserts();
      if (this.#flushing === undefined) break;
      await this.#flushing;
    }
    await (await this.#writer)?.close();
    this.#db.close();
  }
}

/** Each insert of a committed batch resolves with the key its scope holds, or fails for an erased customer. */
function settle(batch: readonly PendingInsert[], stored: BatchResult): void {
  batch.forEach((job, i) => {
    const result = stored[i] as KeyRecord | 'erased';
    if (result === 'erased') job.reject(erasedError(job.record.customerId));
    else job.resolve(result);
  });
}

export function erasedError(customerId: string | null): ContentErasedError {
  return new ContentErasedError(`The customer ${customerId ?? ''} was erased: no new key is created for them`);
}

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
import { Kysely, PostgresDialect } from 'kysely';
import { openPgPool } from '../storage/pg-pool.js';

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
  /**
   * Inserts unless the scope already has a key (another writer won the race); returns the
   * key the scope holds after the insert (this one or the winner's), so callers need not
   * read it back.
   */
  insertIfAbsent(record: KeyRecord): Promise<KeyRecord>;
  deleteScope(scope: string): Promise<number>;
  /** Deletes every key of a customer (data key and conversation salts). */
  deleteCustomer(customerId: string): Promise<number>;
  /** Every KEK-wrapped key (rotation). */
  listWrapped(): Promise<KeyRecord[]>;
  /** Fingerprints of the KEKs that wrapped the stored keys (checked at start). */
  wrappingKekIds(): Promise<string[]>;
  /** Replaces a wrapped key's material (rotation: same key, new KEK). */
  rewrap(scope: string, kekId: string, material: string): Promise<void>;
  close(): Promise<void>;
}

interface KeyRow {
  scope: string;
  customer_id: string | null;
  kek_id: string | null;
  material: string;
  created_at: number;
}

const toRecord = (r: KeyRow): KeyRecord => ({
  scope: r.scope,
  customerId: r.customer_id,
  kekId: r.kek_id,
  material: r.material,
  createdAt: Number(r.created_at),
});

/** The SQLite keystore: a separate database file (or in memory for in-memory hubs). */
export class SqliteKeyStore implements KeyStore {
  readonly location: string;
  readonly #db: SQLite.Database;
  /**
   * Inserts waiting for the next keystore commit. Every commit of this file is an fsync, so
   * keys created concurrently (a business alerting thousands of customers for the first
   * time) share one transaction.
   */
  #pending: Array<{ record: KeyRecord; resolve: (stored: KeyRecord) => void; reject: (err: unknown) => void }> = [];
  /** Transactions that inserted keys (for tests and benchmarks). */
  insertCommits = 0;
  #byScope: SQLite.Statement | undefined;

  constructor(file: string | null) {
    this.location = file ?? ':memory:';
    if (file !== null) fs.mkdirSync(path.dirname(file), { recursive: true });
    this.#db = new SQLite(this.location);
    // WAL keeps key look-ups cheap (a rollback journal costs file locking and a journal
    // check on every read: 8% of the hub's time when contacting many customers at once).
    // secure_delete zeroes a deleted key in its page, and #scrubLog() checkpoints that page
    // into the file and truncates the log right after every deletion, so no old copy of the
    // page stays in keys.db-wal.
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('secure_delete = ON');
    this.#db.pragma('synchronous = FULL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.exec(`create table if not exists privacy_keys (
      scope text primary key,
      customer_id text,
      kek_id text,
      material text not null,
      created_at integer not null
    )`);
    this.#db.exec('create index if not exists privacy_keys_customer on privacy_keys (customer_id)');
    if (file !== null) fs.chmodSync(file, 0o600);
  }

  async get(scope: string): Promise<KeyRecord | undefined> {
    this.#byScope ??= this.#db.prepare('select * from privacy_keys where scope = ?');
    const row = this.#byScope.get(scope) as KeyRow | undefined;
    return row === undefined ? undefined : toRecord(row);
  }

  insertIfAbsent(record: KeyRecord): Promise<KeyRecord> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ record, resolve, reject });
      if (this.#pending.length === 1) setImmediate(() => this.#flushInserts());
    });
  }

  /** Commits every pending insert in one transaction; each caller resolves after the commit. */
  #flushInserts(): void {
    const batch = this.#pending;
    this.#pending = [];
    const stored: KeyRecord[] = [];
    try {
      const insert = this.#db.prepare(
        'insert into privacy_keys (scope, customer_id, kek_id, material, created_at) values (?, ?, ?, ?, ?) on conflict (scope) do nothing',
      );
      this.#byScope ??= this.#db.prepare('select * from privacy_keys where scope = ?');
      const byScope = this.#byScope;
      this.#db.transaction(() => {
        for (const { record: r } of batch) {
          if (insert.run(r.scope, r.customerId, r.kekId, r.material, r.createdAt).changes === 1) {
            stored.push(r);
            continue;
          }
          // The scope had a key already (an earlier insert, maybe in this very batch): that one stands.
          stored.push(toRecord(byScope.get(r.scope) as KeyRow));
        }
      })();
      this.insertCommits += 1;
    } catch (err) {
      for (const job of batch) job.reject(err);
      return;
    }
    batch.forEach((job, i) => job.resolve(stored[i] as KeyRecord));
  }

  async deleteScope(scope: string): Promise<number> {
    const n = this.#db.prepare('delete from privacy_keys where scope = ?').run(scope).changes;
    await this.#scrubLog();
    return n;
  }

  async deleteCustomer(customerId: string): Promise<number> {
    const n = this.#db.prepare('delete from privacy_keys where customer_id = ?').run(customerId).changes;
    await this.#scrubLog();
    return n;
  }

  async listWrapped(): Promise<KeyRecord[]> {
    return (this.#db.prepare('select * from privacy_keys where kek_id is not null order by scope').all() as KeyRow[]).map(toRecord);
  }

  async wrappingKekIds(): Promise<string[]> {
    return (this.#db.prepare('select distinct kek_id from privacy_keys where kek_id is not null').all() as Array<{ kek_id: string }>).map((r) => r.kek_id);
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
      if (attempt >= 50) throw new Error('keystore: the write-ahead log could not be truncated after a key deletion (keys.db is busy); retry the erasure');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async close(): Promise<void> {
    if (this.#pending.length > 0) this.#flushInserts();
    this.#db.close();
  }
}

interface PgKeyDb {
  privacy_keys: KeyRow;
}

/** The PostgreSQL keystore: the `privacy_keys` table (migration 006), over its own pool. */
export class PgKeyStore implements KeyStore {
  readonly location = 'postgres:privacy_keys';
  readonly #db: Kysely<PgKeyDb>;

  /** `queryTimeoutMs`: as DATABASE_QUERY_TIMEOUT_MS, so a silent link fails instead of hanging. */
  constructor(url: string, queryTimeoutMs?: number) {
    this.#db = new Kysely<PgKeyDb>({ dialect: new PostgresDialect({ pool: openPgPool(url, { max: 2, queryTimeoutMs }) }) });
  }

  async get(scope: string): Promise<KeyRecord | undefined> {
    const row = await this.#db.selectFrom('privacy_keys').selectAll().where('scope', '=', scope).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async insertIfAbsent(r: KeyRecord): Promise<KeyRecord> {
    const inserted = await this.#db
      .insertInto('privacy_keys')
      .values({ scope: r.scope, customer_id: r.customerId, kek_id: r.kekId, material: r.material, created_at: r.createdAt })
      .onConflict((oc) => oc.column('scope').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted !== undefined) return toRecord(inserted);
    // Another process won the race: its key stands.
    const winner = await this.get(r.scope);
    if (winner === undefined) throw new Error(`key ${r.scope} was deleted while being created`);
    return winner;
  }

  async deleteScope(scope: string): Promise<number> {
    const res = await this.#db.deleteFrom('privacy_keys').where('scope', '=', scope).executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  async deleteCustomer(customerId: string): Promise<number> {
    const res = await this.#db.deleteFrom('privacy_keys').where('customer_id', '=', customerId).executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  async listWrapped(): Promise<KeyRecord[]> {
    return (await this.#db.selectFrom('privacy_keys').selectAll().where('kek_id', 'is not', null).orderBy('scope').execute()).map(toRecord);
  }

  async wrappingKekIds(): Promise<string[]> {
    const rows = await this.#db.selectFrom('privacy_keys').select('kek_id').distinct().where('kek_id', 'is not', null).execute();
    return rows.flatMap((r) => (r.kek_id === null ? [] : [r.kek_id]));
  }

  async rewrap(scope: string, kekId: string, material: string): Promise<void> {
    await this.#db.updateTable('privacy_keys').set({ kek_id: kekId, material }).where('scope', '=', scope).execute();
  }

  async close(): Promise<void> {
    await this.#db.destroy();
  }
}

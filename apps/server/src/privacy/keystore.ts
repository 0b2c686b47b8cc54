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
import { Kysely, PostgresDialect, sql } from 'kysely';
import { openPgPool } from '../storage/pg-pool.js';
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
  /**
   * Inserts unless the scope already has a key (another writer won the race); returns the
   * key the scope holds after the insert (this one or the winner's), so callers need not
   * read it back.
   * @throws ContentErasedError when the record's customer was erased (a send racing the
   * erasure must not leave an orphan key behind).
   */
  insertIfAbsent(record: KeyRecord): Promise<KeyRecord>;
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
      const erased = this.#db.prepare('select 1 from privacy_erased_customers where customer_id = ?');
      // IMMEDIATE: the write lock is taken before the tombstone check, so an erasure in
      // another process (the CLI) cannot slip between the check and the insert.
      this.#db
        .transaction(() => {
          for (const { record: r } of batch) {
            if (r.customerId !== null && erased.get(r.customerId) !== undefined) {
              stored.push(ERASED);
              continue;
            }
            if (insert.run(r.scope, r.customerId, r.kekId, r.material, r.createdAt).changes === 1) {
              stored.push(r);
              continue;
            }
            // The scope had a key already (an earlier insert, maybe in this very batch): that one stands.
            stored.push(toRecord(byScope.get(r.scope) as KeyRow));
          }
        })
        .immediate();
      this.insertCommits += 1;
    } catch (err) {
      for (const job of batch) job.reject(err);
      return;
    }
    batch.forEach((job, i) => {
      const result = stored[i] as KeyRecord;
      if (result === ERASED) job.reject(erasedError(job.record.customerId));
      else job.resolve(result);
    });
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
    if (this.#pending.length > 0) this.#flushInserts();
    this.#db.close();
  }
}

interface PgKeyDb {
  privacy_keys: KeyRow;
  privacy_erased_customers: { customer_id: string; erased_at: number };
}

/** Marks a refused insert inside a batch (the customer was erased). */
const ERASED: KeyRecord = Object.freeze({ scope: '', customerId: null, kekId: null, material: '', createdAt: 0 });

function erasedError(customerId: string | null): ContentErasedError {
  return new ContentErasedError(`The customer ${customerId ?? ''} was erased: no new key is created for them`);
}

/** The PostgreSQL keystore: the `privacy_keys` table (migration 006), over its own pool. */
export class PgKeyStore implements KeyStore {
  readonly location = 'postgres:privacy_keys';
  readonly #db: Kysely<PgKeyDb>;

  /** `queryTimeoutMs`: as DATABASE_QUERY_TIMEOUT_MS, so a silent link fails instead of hanging. */
  constructor(url: string, queryTimeoutMs?: number) {
    this.#db = new Kysely<PgKeyDb>({
      dialect: new PostgresDialect({ pool: openPgPool(url, { max: 2, queryTimeoutMs }) }),
    });
  }

  async get(scope: string): Promise<KeyRecord | undefined> {
    const row = await this.#db.selectFrom('privacy_keys').selectAll().where('scope', '=', scope).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async insertIfAbsent(r: KeyRecord): Promise<KeyRecord> {
    const customerId = r.customerId;
    const insert = (db: Kysely<PgKeyDb>) =>
      db
        .insertInto('privacy_keys')
        .values({
          scope: r.scope,
          customer_id: r.customerId,
          kek_id: r.kekId,
          material: r.material,
          created_at: r.createdAt,
        })
        .onConflict((oc) => oc.column('scope').doNothing())
        .returningAll()
        .executeTakeFirst();
    const inserted =
      customerId === null
        ? await insert(this.#db)
        : await this.#db.transaction().execute(async (tx) => {
            // The customer's lock orders this insert against an erasure: either the erasure
            // deletes this key, or this insert sees the erasure's tombstone.
            await lockCustomer(tx, customerId);
            const erased = await tx
              .selectFrom('privacy_erased_customers')
              .select('customer_id')
              .where('customer_id', '=', customerId)
              .executeTakeFirst();
            if (erased !== undefined) throw erasedError(customerId);
            return insert(tx);
          });
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
    return this.#db.transaction().execute(async (tx) => {
      await lockCustomer(tx, customerId);
      await tx
        .insertInto('privacy_erased_customers')
        .values({ customer_id: customerId, erased_at: Date.now() })
        .onConflict((oc) => oc.column('customer_id').doNothing())
        .execute();
      const res = await tx.deleteFrom('privacy_keys').where('customer_id', '=', customerId).executeTakeFirst();
      return Number(res.numDeletedRows);
    });
  }

  async listWrapped(): Promise<KeyRecord[]> {
    return (
      await this.#db.selectFrom('privacy_keys').selectAll().where('kek_id', 'is not', null).orderBy('scope').execute()
    ).map(toRecord);
  }

  async wrappingKekIds(): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('privacy_keys')
      .select('kek_id')
      .distinct()
      .where('kek_id', 'is not', null)
      .execute();
    return rows.flatMap((r) => (r.kek_id === null ? [] : [r.kek_id]));
  }

  async rewrap(scope: string, kekId: string, material: string): Promise<void> {
    await this.#db.updateTable('privacy_keys').set({ kek_id: kekId, material }).where('scope', '=', scope).execute();
  }

  async close(): Promise<void> {
    await this.#db.destroy();
  }
}

/** A transaction-scoped advisory lock per customer, taken by key creation and erasure. */
async function lockCustomer(tx: Kysely<PgKeyDb>, customerId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`confide-keys:${customerId}`}, 0))`.execute(tx);
}

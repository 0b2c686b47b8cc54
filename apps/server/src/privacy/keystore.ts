/**
 * Where wrapped data keys live, apart from the data they protect. With SQLite the
 * keystore is its own file (`DATA_DIR/keys.db`, rollback journal, `secure_delete`), so a
 * copy of `confide.db` never holds a key, and erasing a key overwrites it in place. With
 * PostgreSQL it is the `privacy_keys` table, reached over its own small pool so key
 * look-ups never wait behind a write transaction. See docs/privacy.md for what each
 * guarantees against copies and backups.
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

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
  /** Inserts unless the scope already has a key (another process won the race). */
  insertIfAbsent(record: KeyRecord): Promise<void>;
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

  constructor(file: string | null) {
    this.location = file ?? ':memory:';
    if (file !== null) fs.mkdirSync(path.dirname(file), { recursive: true });
    this.#db = new SQLite(this.location);
    // A rollback journal (not WAL) and secure_delete: a deleted key is overwritten in the
    // file at commit, and no write-ahead log keeps an old copy of the page around.
    this.#db.pragma('journal_mode = DELETE');
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
    const row = this.#db.prepare('select * from privacy_keys where scope = ?').get(scope) as KeyRow | undefined;
    return row === undefined ? undefined : toRecord(row);
  }

  async insertIfAbsent(r: KeyRecord): Promise<void> {
    this.#db
      .prepare('insert into privacy_keys (scope, customer_id, kek_id, material, created_at) values (?, ?, ?, ?, ?) on conflict (scope) do nothing')
      .run(r.scope, r.customerId, r.kekId, r.material, r.createdAt);
  }

  async deleteScope(scope: string): Promise<number> {
    return this.#db.prepare('delete from privacy_keys where scope = ?').run(scope).changes;
  }

  async deleteCustomer(customerId: string): Promise<number> {
    return this.#db.prepare('delete from privacy_keys where customer_id = ?').run(customerId).changes;
  }

  async listWrapped(): Promise<KeyRecord[]> {
    return (this.#db.prepare('select * from privacy_keys where kek_id is not null order by scope').all() as KeyRow[]).map(toRecord);
  }

  async wrappingKekIds(): Promise<string[]> {
    return (this.#db.prepare('select distinct kek_id from privacy_keys where kek_id is not null').all() as Array<{ kek_id: string }>).map((r) => r.kek_id);
  }

  async rewrap(scope: string, kekId: string, material: string): Promise<void> {
    this.#db.prepare('update privacy_keys set kek_id = ?, material = ? where scope = ?').run(kekId, material, scope);
  }

  async close(): Promise<void> {
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

  constructor(url: string) {
    const pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 5_000 });
    pool.on('error', () => undefined);
    // Checked-out clients have no pool error listener: a reset must not become an uncaught exception.
    pool.on('connect', (client) => void client.on('error', () => undefined));
    this.#db = new Kysely<PgKeyDb>({ dialect: new PostgresDialect({ pool }) });
  }

  async get(scope: string): Promise<KeyRecord | undefined> {
    const row = await this.#db.selectFrom('privacy_keys').selectAll().where('scope', '=', scope).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async insertIfAbsent(r: KeyRecord): Promise<void> {
    await this.#db
      .insertInto('privacy_keys')
      .values({ scope: r.scope, customer_id: r.customerId, kek_id: r.kekId, material: r.material, created_at: r.createdAt })
      .onConflict((oc) => oc.column('scope').doNothing())
      .execute();
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

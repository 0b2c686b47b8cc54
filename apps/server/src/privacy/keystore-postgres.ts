/**
 * The PostgreSQL keystore: the `privacy_keys` table (migration 006), reached over its own
 * small pool so key look-ups never wait behind a write transaction (see keystore.ts).
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import { openPgPool } from '../storage/pg-pool.js';
import { insertBatch, lockCustomers, type PgKeyDb } from './keystore-postgres-batch.js';
import { toRecord, type InsertOutcome, type KeyRecord, type KeyStore } from './keystore.js';

/** The PostgreSQL keystore: the `privacy_keys` table (migration 006), over its own pool. */
export class PgKeyStore implements KeyStore {
  readonly location = 'postgres:privacy_keys';
  readonly #db: Kysely<PgKeyDb>;
  /** Inserts of this turn of the event loop, committed together by the next `insertManyIfAbsent`. */
  #pending: Array<{ record: KeyRecord; settle: (outcome: InsertOutcome) => void }> = [];
  /** Transactions that inserted keys (for tests and benchmarks). */
  insertCommits = 0;

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

  async getMany(scopes: readonly string[]): Promise<Map<string, KeyRecord>> {
    const found = new Map<string, KeyRecord>();
    if (scopes.length === 0) return found;
    const rows = await this.#db
      .selectFrom('privacy_keys')
      .selectAll()
      .where(sql<boolean>`scope = any(${[...scopes]}::text[])`)
      .execute();
    for (const row of rows) found.set(row.scope, toRecord(row));
    return found;
  }

  /** Joins the inserts of this turn of the event loop: they share one transaction. */
  insertIfAbsent(record: KeyRecord): Promise<KeyRecord> {
    return new Promise<InsertOutcome>((settle) => {
      this.#pending.push({ record, settle });
      if (this.#pending.length === 1) setImmediate(() => void this.#flushPending());
    }).then((outcome) => {
      if ('error' in outcome) throw outcome.error;
      return outcome.record;
    });
  }

  async #flushPending(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    const outcomes = await this.insertManyIfAbsent(batch.map((job) => job.record));
    batch.forEach((job, i) => job.settle(outcomes[i] as InsertOutcome));
  }

  /**
   * One transaction for the batch, set-based (keystore-postgres-batch.ts): the customers' locks in
   * one statement, the tombstone check and the insert in another, and one read of the keys
   * that stood already (another writer's, or the first record of a scope listed twice).
   */
  async insertManyIfAbsent(records: readonly KeyRecord[]): Promise<InsertOutcome[]> {
    if (records.length === 0) return [];
    try {
      const outcomes = await this.#db.transaction().execute((tx) => insertBatch(tx, records));
      this.insertCommits += 1;
      return outcomes;
    } catch (error) {
      return records.map(() => ({ error }));
    }
  }

  async deleteScope(scope: string): Promise<number> {
    const res = await this.#db.deleteFrom('privacy_keys').where('scope', '=', scope).executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  async deleteCustomer(customerId: string): Promise<number> {
    return this.#db.transaction().execute(async (tx) => {
      await lockCustomers(tx, [customerId]);
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
    await this.#flushPending();
    await this.#db.destroy();
  }
}

/**
 * The PostgreSQL keystore: the `privacy_keys` table (migration 006), reached over its own
 * small pool so key look-ups never wait behind a write transaction (see keystore.ts).
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import { openPgPool } from '../storage/pg-pool.js';
import { erasedError, toRecord, type InsertOutcome, type KeyRecord, type KeyRow, type KeyStore } from './keystore.js';

interface PgKeyDb {
  privacy_keys: KeyRow;
  privacy_erased_customers: { customer_id: string; erased_at: number };
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

  insertManyIfAbsent(records: readonly KeyRecord[]): Promise<InsertOutcome[]> {
    return Promise.all(
      records.map((record) =>
        this.insertIfAbsent(record).then(
          (stored) => ({ record: stored }),
          (error: unknown) => ({ error }),
        ),
      ),
    );
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

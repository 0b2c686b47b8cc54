/**
 * A batch of key inserts in one PostgreSQL transaction (keystore-postgres.ts), set-based:
 * a fan-out's first contacts cost one transaction of four statements, not one per key.
 *
 * 1. The advisory lock of every customer in the batch, in one statement, taken in the order
 *    of the lock keys: two batches (or a batch and an erasure, which takes one lock) never
 *    wait for each other in a cycle, even when two customers' ids hash to the same key.
 * 2. After the locks, so an erasure either deleted these customers' keys already or waits
 *    for this commit: the tombstones of the batch's customers read, and every other record
 *    inserted in list order (of two records of one scope, the first stands), in one statement.
 * 3. The keys that stood already, read once for all of them.
 */
import { sql, type Kysely } from 'kysely';
import { erasedError, toRecord, type InsertOutcome, type KeyRecord, type KeyRow } from './keystore.js';

export interface PgKeyDb {
  privacy_keys: KeyRow;
  privacy_erased_customers: { customer_id: string; erased_at: number };
}

/**
 * Transaction-scoped advisory locks of these customers, taken by key creation and erasure,
 * one statement for all of them, in the order of their lock keys.
 */
export async function lockCustomers(tx: Kysely<PgKeyDb>, customerIds: readonly string[]): Promise<void> {
  if (customerIds.length === 0) return;
  // Sorted in the subquery, and again outside it: PostgreSQL calls a volatile function of the
  // select list after the sort, so the locks are taken in that order.
  await sql`select pg_advisory_xact_lock(k) from (
      select distinct hashtextextended('confide-keys:' || c, 0) as k from unnest(${[...customerIds]}::text[]) as c
      order by k
    ) as locks
    order by k`.execute(tx);
}

/** Inside the transaction: what each record's scope holds afterwards, or why it was refused. */
export async function insertBatch(tx: Kysely<PgKeyDb>, records: readonly KeyRecord[]): Promise<InsertOutcome[]> {
  const customers = [...new Set(records.flatMap((r) => (r.customerId === null ? [] : [r.customerId])))];
  await lockCustomers(tx, customers);
  const column = <T>(pick: (r: KeyRecord) => T): T[] => records.map(pick);
  const { rows } = await sql<{ kind: 'erased' | 'inserted'; value: string }>`
    with erased as (
      select customer_id from privacy_erased_customers where customer_id = any(${customers}::text[])
    ), inserted as (
      insert into privacy_keys (scope, customer_id, kek_id, material, created_at)
      select r.scope, r.customer_id, r.kek_id, r.material, r.created_at
      from unnest(
        ${column((r) => r.scope)}::text[], ${column((r) => r.customerId)}::text[], ${column((r) => r.kekId)}::text[],
        ${column((r) => r.material)}::text[], ${column((r) => r.createdAt)}::bigint[]
      ) with ordinality as r(scope, customer_id, kek_id, material, created_at, ord)
      where r.customer_id is null or r.customer_id not in (select customer_id from erased)
      order by r.ord
      on conflict (scope) do nothing
      returning scope
    )
    select 'erased' as kind, customer_id as value from erased
    union all
    select 'inserted' as kind, scope as value from inserted`.execute(tx);
  const erased = new Set(rows.filter((r) => r.kind === 'erased').map((r) => r.value));
  const inserted = new Set(rows.filter((r) => r.kind === 'inserted').map((r) => r.value));
  const refused = (r: KeyRecord) => r.customerId !== null && erased.has(r.customerId);
  // The first record of each inserted scope is the one stored; any other reads the key that stands.
  const won = new Set<KeyRecord>();
  for (const r of records) if (!refused(r) && inserted.delete(r.scope)) won.add(r);
  const others = records.filter((r) => !won.has(r) && !refused(r)).map((r) => r.scope);
  const standing = new Map<string, KeyRecord>();
  if (others.length > 0) {
    const found = await tx
      .selectFrom('privacy_keys')
      .selectAll()
      .where(sql<boolean>`scope = any(${[...new Set(others)]}::text[])`)
      .execute();
    for (const row of found) standing.set(row.scope, toRecord(row));
  }
  return records.map((r): InsertOutcome => {
    if (refused(r)) return { error: erasedError(r.customerId) };
    if (won.has(r)) return { record: r };
    const stored = standing.get(r.scope);
    return stored !== undefined
      ? { record: stored }
      : { error: new Error(`key ${r.scope} was deleted while being created`) };
  });
}

/** Storage of customers and their sessions. */
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';

export interface CustomerRow {
  id: string;
  username: string;
  password_hash: string;
  created_at: number;
}

export function findCustomerByUsername(db: Kysely<Database>, username: string): Promise<CustomerRow | undefined> {
  return db
    .selectFrom('customers')
    .select(['id', 'username', 'password_hash', 'created_at'])
    .where('username', '=', username.toLowerCase())
    .executeTakeFirst();
}

export function findCustomerById(db: Kysely<Database>, id: string): Promise<CustomerRow | undefined> {
  return db
    .selectFrom('customers')
    .select(['id', 'username', 'password_hash', 'created_at'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function insertCustomer(db: Kysely<Database>, row: CustomerRow): Promise<void> {
  await db.insertInto('customers').values(row).execute();
}

export async function insertSession(
  db: Kysely<Database>,
  row: { id_hash: string; customer_id: string; created_at: number; expires_at: number },
): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

export function findSession(db: Kysely<Database>, idHash: string, now: number) {
  return db
    .selectFrom('sessions')
    .innerJoin('customers', 'customers.id', 'sessions.customer_id')
    .select(['customers.id', 'customers.username', 'customers.created_at'])
    .where('sessions.id_hash', '=', idHash)
    .where('sessions.expires_at', '>', now)
    .executeTakeFirst();
}

/** Deletes a session; returns whose it was (undefined when there was none). */
export async function deleteSession(db: Kysely<Database>, idHash: string): Promise<string | undefined> {
  const gone = await db
    .deleteFrom('sessions')
    .where('id_hash', '=', idHash)
    .returning('customer_id')
    .executeTakeFirst();
  return gone?.customer_id;
}

/** Which of `idHashes` are sessions that exist and have not expired at `now`. */
export async function liveSessionIds(db: Kysely<Database>, idHashes: string[], now: number): Promise<Set<string>> {
  if (idHashes.length === 0) return new Set();
  const rows = await db
    .selectFrom('sessions')
    .select('id_hash')
    .where('id_hash', 'in', idHashes)
    .where('expires_at', '>', now)
    .execute();
  return new Set(rows.map((r) => r.id_hash));
}

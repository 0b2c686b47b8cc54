import type { Kysely } from 'kysely';

/**
 * Failed-login counters shared by every hub process (features/customers/login-guard.ts):
 * one row per account or IP and scope, keyed by a hash of that key (no username or IP
 * address in clear), with the start of its 15-minute window and the failures in it. An
 * attempt is reserved here, atomically, before its password is verified.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('login_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .execute();
  // The sweep deletes lapsed windows.
  await db.schema.createIndex('login_attempts_window').on('login_attempts').columns(['window_start']).execute();
}

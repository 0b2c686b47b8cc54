import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * PostgreSQL keystore tombstones: the customers whose keys were destroyed. Creating a key
 * for one of them is refused (privacy/keystore.ts), so a send racing an erasure cannot
 * leave an orphan data key or salt behind. SQLite keeps this table in `keys.db`.
 */
export async function up(db: Kysely<unknown>, { dialect }: MigrationContext): Promise<void> {
  if (dialect !== 'postgres') return;
  await db.schema
    .createTable('privacy_erased_customers')
    .addColumn('customer_id', 'text', (c) => c.primaryKey())
    .addColumn('erased_at', 'bigint', (c) => c.notNull())
    .execute();
}

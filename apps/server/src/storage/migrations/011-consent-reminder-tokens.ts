import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * A reminder's "Renew" / "Let it expire" buttons carry a random single-use token; its
 * SHA-256 is kept with the reminder (which names the customer, page and grant) and
 * `used_at` marks it spent. Reminders sent before this migration have no token: their
 * buttons no longer act (features/consent/reminders.ts).
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('consent_reminders').addColumn('token_hash', 'text').execute();
  await db.schema.alterTable('consent_reminders').addColumn('used_at', 'bigint').execute();
}

import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Files a customer sends from the composer (features/attachments/customer-uploads.ts) are
 * attachments rows too, marked `from_customer = 1` (their `app_id` is empty: no app uploaded
 * them). A business can fetch them with its page token but never send them as its own.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .alterTable('attachments')
    .addColumn('from_customer', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

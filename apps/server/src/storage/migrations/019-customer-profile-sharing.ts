import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * The customer's optional profile (last name, locale, UTC offset, a picture sealed with the
 * service key) and, per business, which of
 * those fields the customer lets it read on `GET /{psid}` (features/profile-sharing). No row
 * means first name only, as before.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('customers').addColumn('last_name', 'text').execute();
  await db.schema.alterTable('customers').addColumn('locale', 'text').execute();
  await db.schema.alterTable('customers').addColumn('timezone', 'real').execute();
  await db.schema.alterTable('customers').addColumn('picture_enc', 'text').execute();
  await db.schema.alterTable('customers').addColumn('picture_type', 'text').execute();
  await db.schema
    .createTable('profile_shares')
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('fields', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('profile_shares_pk', ['customer_id', 'page_id'])
    .execute();
}

import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Utility message templates (features/templates): page-owned, reviewed on creation,
 * soft-deleted so the messages sent from them keep their meaning. A page has one live
 * template per name and language.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('message_templates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull().references('pages.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('rejected_reason', 'text')
    .addColumn('components', 'text', (c) => c.notNull())
    .addColumn('notification_category', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('message_templates_live_name')
    .on('message_templates')
    .columns(['page_id', 'name', 'language'])
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
}

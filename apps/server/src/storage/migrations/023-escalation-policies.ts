import type { Kysely } from 'kysely';

/** A page's escalation policy per notification category (features/escalation), within the hub's limits. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('escalation_policies')
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('push_after_ms', 'bigint', (c) => c.notNull())
    .addColumn('sms_after_ms', 'bigint')
    .addColumn('max_contacts', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('escalation_policies_pk', ['page_id', 'category'])
    .execute();
}

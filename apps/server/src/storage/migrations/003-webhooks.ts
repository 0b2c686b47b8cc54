import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Webhook delivery state: leases on outbox rows (so several workers share the outbox
 * without double-claiming) and the failure clock of each app's subscription.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('webhook_outbox').addColumn('leased_until', 'bigint').execute();
  await db.schema.alterTable('webhook_outbox').addColumn('lease_owner', 'text').execute();
  // The worker reads an app's queue head-first; redelivery looks rows up by creation time.
  await db.schema
    .createIndex('webhook_outbox_app_queue')
    .on('webhook_outbox')
    .columns(['app_id', 'delivered_at', 'id'])
    .execute();
  await db.schema
    .createIndex('webhook_outbox_app_created')
    .on('webhook_outbox')
    .columns(['app_id', 'created_at'])
    .execute();

  await db.schema.alterTable('apps').addColumn('webhook_failing_since', 'bigint').execute();
  await db.schema.alterTable('apps').addColumn('webhook_alerted_at', 'bigint').execute();
  await db.schema.alterTable('apps').addColumn('webhook_disabled_at', 'bigint').execute();
}

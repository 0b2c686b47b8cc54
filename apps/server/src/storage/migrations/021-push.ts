import type { Kysely } from 'kysely';

/**
 * Web Push (features/push): each device a customer turned push on for (its endpoint and
 * keys sealed, found again by a hash of the endpoint), the businesses' categories they
 * muted for push, the pushes waiting to go out (one row per business message and device,
 * due at a time, leased by one worker at a time, deleted once decided), and the single-use
 * tokens that let a notification's buttons answer one question.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('push_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('endpoint_hash', 'text', (c) => c.notNull().unique())
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_push_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('push_subscriptions_customer')
    .on('push_subscriptions')
    .columns(['customer_id'])
    .execute();
  await db.schema
    .createTable('push_muted')
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('push_muted_pk', ['customer_id', 'page_id', 'category'])
    .execute();
  await db.schema
    .createTable('push_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('message_mid', 'text', (c) => c.notNull())
    .addColumn('message_at', 'bigint', (c) => c.notNull())
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_until', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('push_jobs_message_device', ['message_mid', 'subscription_id'])
    .execute();
  await db.schema
    .createTable('push_action_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('message_mid', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('push_action_tokens_customer')
    .on('push_action_tokens')
    .columns(['customer_id'])
    .execute();
  await db.schema.createIndex('push_jobs_due').on('push_jobs').columns(['due_at']).execute();
  await db.schema.createIndex('push_jobs_customer').on('push_jobs').columns(['customer_id']).execute();
}

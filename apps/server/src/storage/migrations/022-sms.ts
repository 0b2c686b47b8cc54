import type { Kysely } from 'kysely';

/**
 * SMS fallback (features/sms): the customer's phone number (sealed, found by a keyed hash,
 * verified by a one-time code, STOP/START remembered), fraud alerts waiting to be texted if
 * still unanswered (rows, leased like pushes), and the texts sent, so a YES/NO reply finds
 * the question it answers.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sms_phones')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull().unique())
    .addColumn('phone_hash', 'text', (c) => c.notNull().unique())
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('verified_at', 'bigint')
    .addColumn('code_hash', 'text')
    .addColumn('code_sent_at', 'bigint')
    .addColumn('code_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('opted_out', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('sms_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('message_mid', 'text', (c) => c.notNull().unique())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_until', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sms_jobs_due').on('sms_jobs').columns(['due_at']).execute();
  await db.schema.createIndex('sms_jobs_customer').on('sms_jobs').columns(['customer_id']).execute();
  await db.schema
    .createTable('sms_sends')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('sid', 'text')
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('phone_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('message_mid', 'text', (c) => c.notNull())
    .addColumn('case_ref', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sms_sends_phone').on('sms_sends').columns(['phone_id', 'sent_at']).execute();
  await db.schema.createIndex('sms_sends_sid').on('sms_sends').columns(['sid']).execute();
}

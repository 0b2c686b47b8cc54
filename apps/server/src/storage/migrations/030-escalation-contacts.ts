import type { Kysely } from 'kysely';

/**
 * The contacts the escalation ladder made per case (features/escalation/contacts.ts): the policy's
 * max_contacts is counted from these rows, not implied by the ladder's shape. Rows go with their
 * conversation (erasure deletes conversations).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('escalation_contacts')
    .addColumn('message_mid', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('escalation_contacts_pk', ['message_mid', 'channel', 'step'])
    .execute();
  await db.schema
    .createIndex('escalation_contacts_customer')
    .on('escalation_contacts')
    .columns(['customer_id'])
    .execute();
}

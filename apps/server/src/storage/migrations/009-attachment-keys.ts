import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Attachment files under a key per file (docs/privacy.md §1). `attachments.key_enc` holds
 * the file key wrapped under the page's attachment key, for files the page may send
 * again; `attachment_keys` holds it wrapped under the key of each conversation the file
 * was sent to, so erasing the customer (or that history) shreds their copy. Files stored
 * before this migration keep the hub-wide blob key until `confide keys rekey-attachments`.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('attachments').addColumn('key_enc', 'text').execute();
  await db.schema
    .createTable('attachment_keys')
    .addColumn('attachment_id', 'text', (c) => c.notNull().references('attachments.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('key_enc', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('attachment_keys_pk', ['attachment_id', 'conversation_id'])
    .execute();
  await db.schema
    .createIndex('attachment_keys_conversation')
    .on('attachment_keys')
    .columns(['conversation_id'])
    .execute();
}

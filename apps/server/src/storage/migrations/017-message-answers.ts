import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * A proactive update carries its consent category, and a message with postback buttons
 * remembers which button the customer used, or when the business closed the question
 * (features/conversations/answers.ts): the app shows the answer in place of the buttons
 * and marks conversations still awaiting one.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('messages').addColumn('notification_category', 'text').execute();
  await db.schema
    .alterTable('messages')
    .addColumn('awaits_answer', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('messages').addColumn('answered_button', 'integer').execute();
  await db.schema.alterTable('messages').addColumn('answered_at', 'bigint').execute();
  await db.schema.alterTable('messages').addColumn('closed_at', 'bigint').execute();
  // The chat list counts open questions per conversation: only unanswered ones are indexed.
  await db.schema
    .createIndex('messages_awaiting_answer')
    .on('messages')
    .column('conversation_id')
    .where(sql.ref('awaits_answer'), '=', 1)
    .where(sql.ref('answered_button'), 'is', null)
    .where(sql.ref('closed_at'), 'is', null)
    .execute();
}

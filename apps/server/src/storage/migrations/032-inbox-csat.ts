import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Customer satisfaction after a resolve (features/inbox/csat.ts): one row per question the hub
 * asked, naming the conversation, the agent who resolved it and their team. The question's
 * quick replies carry a random single-use token whose SHA-256 is kept here; `score` (1–5) and
 * `answered_at` are set once, by a conditional update, so a question has at most one answer.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('inbox_csat')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull().references('pages.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('agent_id', 'text')
    .addColumn('team_id', 'text')
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('asked_at', 'bigint', (c) => c.notNull())
    .addColumn('score', 'integer')
    .addColumn('answered_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('inbox_csat_page_answered')
    .on('inbox_csat')
    .columns(['page_id', 'answered_at'])
    .execute();
}

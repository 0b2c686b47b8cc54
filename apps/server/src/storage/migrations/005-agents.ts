import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * The agent inbox: human agents of a page (each sends under their own persona), their
 * sessions, the inbox queue (when a conversation was handed to the page inbox and which
 * agent took it) and every agent view of a conversation, for the audit log.
 */
export async function up(db: Kysely<unknown>, { dialect }: MigrationContext): Promise<void> {
  const serial = dialect === 'postgres' ? sql`bigserial primary key` : sql`integer primary key autoincrement`;

  await db.schema
    .createTable('agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull().references('pages.id').onDelete('cascade'))
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('persona_id', 'text', (c) => c.notNull().references('personas.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('agents_page').on('agents').columns(['page_id']).execute();

  await db.schema
    .createTable('agent_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('agent_sessions_agent').on('agent_sessions').columns(['agent_id']).execute();

  await db.schema
    .createTable('inbox_threads')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey().references('conversations.id').onDelete('cascade'))
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('queued_at', 'bigint', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.references('agents.id').onDelete('set null'))
    .addColumn('assigned_at', 'bigint')
    .execute();
  await db.schema.createIndex('inbox_threads_page').on('inbox_threads').columns(['page_id', 'queued_at']).execute();

  await db.schema
    .createTable('agent_views')
    .addColumn('id', sql`${serial}`)
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('viewed_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('agent_views_conversation')
    .on('agent_views')
    .columns(['conversation_id', 'viewed_at'])
    .execute();
}

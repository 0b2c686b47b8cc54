import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Conversation states and routing of the agent inbox: an `inbox_threads` row now outlives the handover.
 * `status` is open (waiting) → assigned → resolved, or snoozed until `snoozed_until`;
 * a resolved row keeps who resolved it and when, for the closed view and reopening.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .alterTable('inbox_threads')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .execute();
  await db.schema.alterTable('inbox_threads').addColumn('snoozed_until', 'bigint').execute();
  await db.schema.alterTable('inbox_threads').addColumn('resolved_at', 'bigint').execute();
  await db.schema.alterTable('inbox_threads').addColumn('resolved_by', 'text').execute();
  // Why the conversation was handed over: the pass_thread_control metadata, shown to agents.
  await db.schema.alterTable('inbox_threads').addColumn('handover_reason', 'text').execute();
  // The case the hand-over is about (`case_ref` of its JSON metadata), for canned responses.
  await db.schema.alterTable('inbox_threads').addColumn('case_ref', 'text').execute();
  // Rows written before states existed: a taken conversation is assigned.
  await db
    .updateTable('inbox_threads' as never)
    .set({ status: 'assigned' } as never)
    .where('agent_id' as never, 'is not', null)
    .execute();
  // Teams of a page (Fraud, Cards, General): hand-overs name one; agents belong to one.
  await db.schema
    .createTable('inbox_teams')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull().references('pages.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('auto_assign', 'integer', (c) => c.notNull().defaultTo(1))
    // Business hours as JSON (features/inbox/business-hours.ts), or null: always open.
    .addColumn('hours', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('inbox_teams_page_name', ['page_id', 'name'])
    .execute();
  await db.schema.alterTable('inbox_threads').addColumn('team_id', 'text').execute();
  await db.schema.alterTable('agents').addColumn('team_id', 'text').execute();
  await db.schema
    .alterTable('agents')
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('agent'))
    .execute();
  await db.schema
    .alterTable('agents')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('offline'))
    .execute();
  await db.schema
    .alterTable('agents')
    .addColumn('capacity', 'integer', (c) => c.notNull().defaultTo(3))
    .execute();
  // Internal notes of agents on a conversation: sealed like messages, never sent to the customer.
  await db.schema
    .createTable('inbox_notes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('inbox_notes_conversation')
    .on('inbox_notes')
    .columns(['conversation_id', 'created_at'])
    .execute();
  // Canned responses of a team (or the whole page when team_id is null), with {{variables}}.
  await db.schema
    .createTable('inbox_canned')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull().references('pages.id').onDelete('cascade'))
    .addColumn('team_id', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('inbox_canned_page').on('inbox_canned').columns(['page_id', 'team_id']).execute();
  await db.schema.createIndex('inbox_threads_agent').on('inbox_threads').columns(['agent_id', 'status']).execute();
  await db.schema
    .createIndex('inbox_threads_page_status')
    .on('inbox_threads')
    .columns(['page_id', 'status', 'resolved_at'])
    .execute();
}

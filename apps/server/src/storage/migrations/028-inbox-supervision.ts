import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Supervision of the agent inbox: four-eyes approval requests (raised by the page's app through
 * the Platform API or by an agent; decided by a supervisor of the page who did not ask), SLA
 * targets per team and the SLA timers the worker evaluates (one live timer per conversation and kind).
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('inbox_approvals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull().references('pages.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    // Who asked: an agent of the page, or the page's app (exactly one is set).
    .addColumn('requested_by_agent', 'text')
    .addColumn('requested_by_app', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    // Summary and details are sealed under the customer's key, like messages (erased with them).
    .addColumn('body', 'text', (c) => c.notNull())
    // pending | approved | rejected
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('inbox_approvals_page_status')
    .on('inbox_approvals')
    .columns(['page_id', 'status', 'created_at'])
    .execute();
  await db.schema
    .createTable('inbox_sla_policies')
    .addColumn('team_id', 'text', (c) => c.primaryKey().references('inbox_teams.id').onDelete('cascade'))
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('first_reply_ms', 'bigint', (c) => c.notNull())
    .addColumn('resolution_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('inbox_sla_timers')
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    // first_reply | resolution
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('team_id', 'text')
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('met_at', 'bigint')
    .addColumn('breached_at', 'bigint')
    .addPrimaryKeyConstraint('inbox_sla_timers_pk', ['conversation_id', 'kind'])
    .execute();
  await db.schema.createIndex('inbox_sla_timers_due').on('inbox_sla_timers').columns(['due_at']).execute();
}

import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Conversation states of the agent inbox: an `inbox_threads` row now outlives the handover.
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
  // Rows written before states existed: a taken conversation is assigned.
  await db
    .updateTable('inbox_threads' as never)
    .set({ status: 'assigned' } as never)
    .where('agent_id' as never, 'is not', null)
    .execute();
  await db.schema.createIndex('inbox_threads_page_status').on('inbox_threads').columns(['page_id', 'status', 'resolved_at']).execute();
}

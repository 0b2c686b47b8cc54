import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Four-eyes for requests the page's app raises (features/inbox/approvals.ts): the agent who held
 * the conversation when the app asked (or had just handed it back, e.g. with "approve unlock")
 * prompted it, so may not decide it either. Null for agent-raised requests and when no agent
 * was involved.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('inbox_approvals').addColumn('prompted_by_agent', 'text').execute();
}

import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * How far the audit collector has read each source it follows (consent ledger, agent
 * views, page tokens, webhook settings), so every source row is audited exactly once.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('audit_marks')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * The Send API rate limit shared by several processes on PostgreSQL: one row per page and
 * one-second window counting the calls leased to processes so far
 * (features/send-api/leased-rate-limit.ts). Rows are worthless a few seconds later and are
 * swept; on PostgreSQL the table is UNLOGGED (no WAL: a crash empties it, which only
 * forgets the current second).
 */
export async function up(db: Kysely<unknown>, { dialect }: MigrationContext): Promise<void> {
  let table = db.schema.createTable('send_rate_windows');
  if (dialect === 'postgres') table = table.modifyFront(sql`unlogged`);
  await table
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('used', 'integer', (c) => c.notNull())
    .addColumn('granted', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('send_rate_windows_pk', ['page_id', 'window_start'])
    .execute();
  // The sweep deletes by age across every page.
  await db.schema.createIndex('send_rate_windows_start').on('send_rate_windows').columns(['window_start']).execute();
}

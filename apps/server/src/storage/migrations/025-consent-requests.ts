import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Consent requests (features/consent/consent-requests.ts): a business asks in the thread for
 * categories; the hub renders the request and records the customer's answer once. The ledger
 * is written only from that answer, on the hub's own surface. `origin` is `refused_update` for the
 * hub's quiet notice after a business's update was refused for lack of consent.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('consent_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('categories', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull().defaultTo('business'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('answered_at', 'bigint')
    .addColumn('answer', 'text')
    .execute();
  await db.schema
    .createIndex('consent_requests_party')
    .on('consent_requests')
    .columns(['customer_id', 'page_id', 'created_at'])
    .execute();
}

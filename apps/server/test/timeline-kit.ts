/**
 * Shared set-up of the timeline store tests (storage/timeline-batch.test.ts,
 * storage/timeline-routes-postgres.test.ts): page p1 with its app1, subscribed to echoes only
 * (a customer's message goes to no app), and two customers with a conversation each.
 */
import type { TimelineConversation } from '../src/timeline/index.js';
import type { TestHub } from './helpers.js';

const conv = (id: string, customer: string): TimelineConversation => ({
  id,
  customer_id: customer,
  page_id: 'p1',
  psid: `psid_${id}`,
  thread_owner_app_id: null,
});

/** u1's conversation with p1. */
export const A = conv('cA', 'u1');
/** u2's conversation with p1. */
export const B = conv('cB', 'u2');

/** Writes the customers, the page, its app and the two conversations. */
export async function seedTwoConversations(h: TestHub): Promise<void> {
  const db = h.ctx.storage.db;
  await db
    .insertInto('customers')
    .values(['u1', 'u2'].map((id) => ({ id, username: id, password_hash: 'x', created_at: 1 })))
    .execute();
  await db
    .insertInto('pages')
    .values({ id: 'p1', name: 'p1', name_lower: 'p1', category: 'bank', description: '', created_at: 1 })
    .execute();
  await db
    .insertInto('apps')
    .values({
      id: 'app1',
      page_id: 'p1',
      secret_enc: 'x',
      webhook_url: 'https://example.test/hook',
      subscribed_fields: JSON.stringify(['message_echoes']),
      webhook_status: 'active',
      created_at: 1,
    })
    .execute();
  await db
    .insertInto('conversations')
    .values([A, B].map((c) => ({ ...c, created_at: 1, last_message_at: 1, thread_owner_app_id: null })))
    .execute();
}

/**
 * Queues the pushes of a business message, inside the transaction that stores it (like
 * the webhook outbox): one row per device of the customer, due at once. The push worker
 * decides at that time whether the customer is looking (an open socket) and, if so, waits
 * until PUSH_UNREAD_AFTER_MS and pushes only if the message is still unread. Only consented
 * proactive updates (messages carrying a consent category) are pushed.
 */
import { newId } from '../../crypto/tokens.js';
import type { WriteTx } from '../../storage/write-queue.js';
import type { TimelineConsumer } from '../../timeline/index.js';

export interface SchedulePushInput {
  customerId: string;
  conversationId: string;
  pageId: string;
  mid: string;
  category: string;
  now: number;
}

export async function schedulePush(tx: WriteTx, input: SchedulePushInput): Promise<void> {
  const devices = await tx.db
    .selectFrom('push_subscriptions')
    .select('id')
    .where('customer_id', '=', input.customerId)
    .execute();
  if (devices.length === 0) return;
  await tx.db
    .insertInto('push_jobs')
    .values(
      devices.map((d) => ({
        id: newId('pj'),
        customer_id: input.customerId,
        conversation_id: input.conversationId,
        page_id: input.pageId,
        message_mid: input.mid,
        message_at: input.now,
        subscription_id: d.id,
        category: input.category,
        stage: 'presence' as const,
        due_at: input.now,
        created_at: input.now,
      })),
    )
    .execute();
}

/** Push consumes the timeline: a consented proactive update (a business message with a category) is queued for the devices. */
export const pushFollowsUpdates: TimelineConsumer = (tx, _bus, { entry, message }) => {
  const { conversation: conv, direction, notificationCategory: category, now } = entry;
  // Not async: a message without a category (nearly all) costs no promise.
  if (direction !== 'out' || !category) return undefined;
  return schedulePush(tx, {
    customerId: conv.customer_id,
    conversationId: conv.id,
    pageId: conv.page_id,
    mid: message.mid,
    category,
    now,
  });
};

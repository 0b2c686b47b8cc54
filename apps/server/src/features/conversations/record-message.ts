/**
 * Records one message in a conversation through the messaging kernel (src/timeline/), inside
 * a write transaction: the message row, the customer's stream event and the webhook event for
 * the business, all committed together. Used by the customer API (direction `in`) and the
 * Send API (direction `out`).
 */
import { PAGE_INBOX_APP_ID, type ChatMessage } from '@confide/protocol';
import type { Bus } from '../../bus/bus.js';
import type { WriteTx } from '../../storage/write-queue.js';
import { appendMessage, type MessageEntry } from '../../timeline/index.js';
import { schedulePush } from '../push/schedule.js';
import { scheduleSms } from '../sms/schedule.js';

export { SYSTEM_LINE_TYPE } from '../../timeline/index.js';

export type RecordMessageInput = Omit<MessageEntry, 'kind'>;

export async function recordMessage(tx: WriteTx, bus: Bus, input: RecordMessageInput): Promise<ChatMessage> {
  const { conversation: conv, direction, now } = input;
  const message = await appendMessage(tx, bus, input);
  const mid = message.mid;
  // A consented proactive update also reaches the customer's devices (features/push).
  if (direction === 'out' && input.notificationCategory) {
    const step = {
      customerId: conv.customer_id,
      conversationId: conv.id,
      pageId: conv.page_id,
      mid,
      category: input.notificationCategory,
      now,
    };
    await schedulePush(tx, step);
    // A fraud alert still unanswered later is texted (features/sms).
    await scheduleSms(tx, { ...step, awaitsAnswer: input.awaitsAnswer ?? false });
  }
  // Agents of the page inbox follow its conversations live (features/inbox).
  if (conv.thread_owner_app_id === PAGE_INBOX_APP_ID) {
    const pageId = conv.page_id;
    tx.afterCommit(() =>
      bus.publish({ name: 'inbox.changed', pageId, conversationId: conv.id, change: 'message', mid }),
    );
  }
  return message;
}

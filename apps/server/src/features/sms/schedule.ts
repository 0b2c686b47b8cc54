/**
 * The SMS step of a fraud alert's escalation, queued in the transaction that stores the
 * alert: a row due at once, which the SMS worker holds until SMS_AFTER_MS after the alert and
 * then texts only if the question is still unanswered. Queued only for a question in
 * `fraud_alerts` (balances and other updates are never texted) to a customer with a verified
 * number that has not said STOP.
 */
import { newId } from '../../crypto/tokens.js';
import type { WriteTx } from '../../storage/write-queue.js';
import type { TimelineConsumer } from '../../timeline/index.js';

/** The only category the hub lets reach a phone by SMS. */
export const SMS_CATEGORIES: readonly string[] = ['fraud_alerts'];

export async function scheduleSms(
  tx: WriteTx,
  input: {
    customerId: string;
    conversationId: string;
    pageId: string;
    mid: string;
    category: string;
    awaitsAnswer: boolean;
    now: number;
  },
): Promise<void> {
  if (!input.awaitsAnswer || !SMS_CATEGORIES.includes(input.category)) return;
  const phone = await tx.db
    .selectFrom('sms_phones')
    .select('id')
    .where('customer_id', '=', input.customerId)
    .where('verified_at', 'is not', null)
    .where('opted_out', '=', 0)
    .executeTakeFirst();
  if (phone === undefined) return;
  await tx.db
    .insertInto('sms_jobs')
    .values({
      id: newId('sj'),
      customer_id: input.customerId,
      conversation_id: input.conversationId,
      page_id: input.pageId,
      message_mid: input.mid,
      category: input.category,
      due_at: input.now,
      created_at: input.now,
    })
    .execute();
}

/** SMS consumes the timeline: a fraud alert's question still unanswered later is texted. */
export const smsFollowsAlerts: TimelineConsumer = (tx, _bus, { entry, message }) => {
  const { conversation: conv, direction, notificationCategory: category, now } = entry;
  // Not async: a message without a category (nearly all) costs no promise.
  if (direction !== 'out' || !category) return undefined;
  const step = { customerId: conv.customer_id, conversationId: conv.id, pageId: conv.page_id, mid: message.mid };
  return scheduleSms(tx, { ...step, category, awaitsAnswer: entry.awaitsAnswer ?? false, now });
};

/**
 * Messages the hub itself writes into a conversation (expiry reminders and the
 * customer's answers to them). They appear in the customer's chat like any message but
 * are never sent to the business as webhooks, and an answer does not open the
 * business's 24-hour window.
 */
import type { ChatMessage, MessageBody } from '@confide/protocol';
import type { Bus } from '../../bus/bus.js';
import { newId } from '../../crypto/tokens.js';
import type { WriteTx } from '../../storage/write-queue.js';
import { appendCustomerEvent } from '../realtime/event-log.js';

/** Prefix of quick-reply and postback payloads that belong to the hub, not the business. */
export const RESERVED_PAYLOAD_PREFIX = 'CONFIDE_CONSENT_';

export async function postHubMessage(
  tx: WriteTx,
  bus: Bus,
  input: { conversation: { id: string; customer_id: string }; direction: 'in' | 'out'; body: MessageBody; now: number },
): Promise<ChatMessage> {
  const { conversation: conv, direction, body, now } = input;
  const mid = newId('m', 18);
  await tx.db
    .insertInto('messages')
    .values({
      mid,
      conversation_id: conv.id,
      direction,
      body: await tx.vault.sealMessage(conv.customer_id, conv.id, body),
      created_at: now,
      app_id: null,
      persona_id: null,
      messaging_type: null,
      tag: null,
    })
    .execute();
  await tx.db.updateTable('conversations').set({ last_message_at: now }).where('id', '=', conv.id).execute();
  const message: ChatMessage = { mid, conversation_id: conv.id, direction, created_at: now, body, tag: null };
  await appendCustomerEvent(tx, bus, conv.customer_id, { type: 'message', message }, now);
  return message;
}

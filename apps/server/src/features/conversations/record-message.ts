/**
 * Records one message in a conversation, inside a write transaction: the message row,
 * the customer's stream event and the webhook event for the business, all committed
 * together. Used by the customer API (direction `in`) and the Send API (direction `out`).
 */
import { PAGE_INBOX_APP_ID, type ChatMessage, type MessageBody } from '@confide/protocol';
import type { Bus } from '../../bus/bus.js';
import { newId } from '../../crypto/tokens.js';
import { maskDeep } from '../../privacy/masking.js';
import type { WriteTx } from '../../storage/write-queue.js';
import { appendCustomerEvent } from '../realtime/event-log.js';
import { enqueueWebhook, type MessagingItem } from '../webhooks/outbox.js';
import type { ConversationRow } from './store.js';

export interface RecordMessageInput {
  conversation: ConversationRow;
  direction: 'in' | 'out';
  body: MessageBody;
  now: number;
  /** For business messages: the sending app, persona and send metadata. */
  appId?: string | null;
  personaId?: string | null;
  messagingType?: string | null;
  tag?: string | null;
}

export async function recordMessage(tx: WriteTx, bus: Bus, input: RecordMessageInput): Promise<ChatMessage> {
  const { conversation: conv, direction, now } = input;
  // Card numbers are masked before anything is stored, streamed or sent on (privacy/masking.ts).
  const body = maskDeep(input.body);
  // A customer's message opens the business's 24-hour window.
  const message = await storeMessage(tx, bus, { ...input, body, opensWindow: direction === 'in' });
  const { mid } = message;

  const webhook = direction === 'in' ? customerItem(mid, body) : echoItem(mid, body, input.appId ?? null);
  await enqueueWebhook(tx, bus, {
    pageId: conv.page_id,
    conversationId: conv.id,
    customerId: conv.customer_id,
    psid: conv.psid,
    field: webhook.field,
    item: webhook.item,
    threadOwnerAppId: conv.thread_owner_app_id,
    fromPage: direction === 'out',
    timestamp: now,
  });
  // Agents of the page inbox follow its conversations live (features/inbox).
  if (conv.thread_owner_app_id === PAGE_INBOX_APP_ID) {
    const pageId = conv.page_id;
    tx.afterCommit(() => bus.publish({ name: 'inbox.changed', pageId, conversationId: conv.id, change: 'message' }));
  }
  return message;
}

export interface StoreMessageInput {
  conversation: { id: string; customer_id: string };
  direction: 'in' | 'out';
  body: MessageBody;
  now: number;
  /** Whether the message opens the business's 24-hour window (a customer's own message). */
  opensWindow: boolean;
  appId?: string | null;
  personaId?: string | null;
  messagingType?: string | null;
  tag?: string | null;
}

/**
 * The part every message shares: the sealed row, the conversation's timestamps and the
 * customer's stream event. `recordMessage` adds the webhook; hub-authored messages
 * (features/consent/hub-message.ts) stop here.
 */
export async function storeMessage(tx: WriteTx, bus: Bus, input: StoreMessageInput): Promise<ChatMessage> {
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
      app_id: input.appId ?? null,
      persona_id: input.personaId ?? null,
      messaging_type: input.messagingType ?? null,
      tag: input.tag ?? null,
    })
    .execute();
  await tx.db
    .updateTable('conversations')
    .set(input.opensWindow ? { last_message_at: now, last_customer_message_at: now } : { last_message_at: now })
    .where('id', '=', conv.id)
    .execute();
  const message: ChatMessage = { mid, conversation_id: conv.id, direction, created_at: now, body, tag: input.tag ?? null };
  await appendCustomerEvent(tx, bus, conv.customer_id, { type: 'message', message }, now);
  return message;
}

/** The webhook event for what the customer sent: a message, a quick-reply answer or a postback. */
function customerItem(mid: string, body: MessageBody): { field: string; item: MessagingItem } {
  if (body.postback !== undefined) {
    return { field: 'messaging_postbacks', item: { postback: { mid, title: body.postback.title, payload: body.postback.payload } } };
  }
  const message: Record<string, unknown> = { mid };
  if (body.text !== undefined) message['text'] = body.text;
  if (body.quick_reply !== undefined) message['quick_reply'] = body.quick_reply;
  if (body.attachments !== undefined) message['attachments'] = body.attachments;
  if (body.reply_to !== undefined) message['reply_to'] = body.reply_to;
  return { field: 'messages', item: { message } };
}

/** The `message_echoes` event for what the business sent. */
function echoItem(mid: string, body: MessageBody, appId: string | null): { field: string; item: MessagingItem } {
  const message: Record<string, unknown> = { is_echo: true, app_id: appId === null ? null : Number(appId), mid };
  if (body.metadata !== undefined) message['metadata'] = body.metadata;
  if (body.text !== undefined) message['text'] = body.text;
  const attachments = body.attachments ?? (body.attachment === undefined ? undefined : [body.attachment]);
  if (attachments !== undefined) message['attachments'] = attachments;
  if (body.quick_replies !== undefined) message['quick_replies'] = body.quick_replies;
  return { field: 'message_echoes', item: { message } };
}

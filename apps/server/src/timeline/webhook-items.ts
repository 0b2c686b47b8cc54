/**
 * What the business's webhook carries for a timeline entry: the `messaging[]` item of a
 * customer's message, postback or the page's echo, and the envelope fields (sender,
 * recipient, timestamp) the outbox payload adds to every item.
 */
import type { MessageBody } from '@confide/protocol';

/** A `messaging[]` item without sender/recipient/timestamp, which the outbox fills in. */
export type MessagingItem = Record<string, unknown>;

/** A webhook event about a conversation, for the apps of its page (the store routes it). */
export interface WebhookEvent {
  pageId: string;
  conversationId: string;
  customerId: string;
  psid: string;
  /** Subscription field, e.g. `messages`, `messaging_postbacks`. */
  field: string;
  item: MessagingItem;
  /** App that controls the thread; null means the page's own app. */
  threadOwnerAppId: string | null;
  /** Sender of the event: the customer (default) or the page (echoes, handover). */
  fromPage?: boolean;
  /** Deliver to this app only, never as `standby` (handover events address one app). */
  targetAppId?: string;
  timestamp: number;
}

/** The payload every app gets for the event (it carries nothing app-specific). */
export function webhookPayload(event: WebhookEvent): Record<string, unknown> {
  const sender = event.fromPage ? event.pageId : event.psid;
  const recipient = event.fromPage ? event.psid : event.pageId;
  return { sender: { id: sender }, recipient: { id: recipient }, timestamp: event.timestamp, ...event.item };
}

/** The webhook event for what the customer sent: a message, a quick-reply answer or a postback. */
export function customerItem(mid: string, body: MessageBody): { field: string; item: MessagingItem } {
  if (body.postback !== undefined) {
    const postback: Record<string, unknown> = { mid, title: body.postback.title, payload: body.postback.payload };
    if (body.surface !== undefined) postback['surface'] = body.surface;
    return { field: 'messaging_postbacks', item: { postback } };
  }
  const message: Record<string, unknown> = { mid };
  if (body.text !== undefined) message['text'] = body.text;
  if (body.quick_reply !== undefined) message['quick_reply'] = body.quick_reply;
  if (body.attachments !== undefined) message['attachments'] = body.attachments;
  if (body.reply_to !== undefined) message['reply_to'] = body.reply_to;
  if (body.surface !== undefined) message['surface'] = body.surface;
  return { field: 'messages', item: { message } };
}

/** The `message_echoes` event for what the business sent. */
export function echoItem(mid: string, body: MessageBody, appId: string | null): { field: string; item: MessagingItem } {
  const message: Record<string, unknown> = { is_echo: true, app_id: appId === null ? null : Number(appId), mid };
  if (body.metadata !== undefined) message['metadata'] = body.metadata;
  if (body.text !== undefined) message['text'] = body.text;
  const attachments = body.attachments ?? (body.attachment === undefined ? undefined : [body.attachment]);
  if (attachments !== undefined) message['attachments'] = attachments;
  if (body.quick_replies !== undefined) message['quick_replies'] = body.quick_replies;
  return { field: 'message_echoes', item: { message } };
}

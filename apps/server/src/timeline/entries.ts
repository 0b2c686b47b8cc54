/**
 * The typed commands a producer hands the messaging kernel (append.ts), one per fact of a
 * conversation's timeline: a message (in, out, echo), a message the hub itself writes
 * (reminders, system lines), a frame for the customer's stream (receipts, reads, changes of
 * the conversation), a webhook event for the page's apps, and a page-level webhook event.
 */
import type { ChatMessage, MessageBody } from '@confide/protocol';
import type { NewFrame } from './frames.js';
import type { WebhookEvent } from './webhook-items.js';

/** The conversation a message goes into, as the kernel needs it. */
export interface TimelineConversation {
  id: string;
  customer_id: string;
  page_id: string;
  psid: string;
  /** The app controlling the thread; null for the page's own app. */
  thread_owner_app_id: string | null;
}

/** A message of the customer (`in`) or the business (`out`): stored, streamed, sent on as a webhook. */
export interface MessageEntry {
  kind: 'message';
  conversation: TimelineConversation;
  direction: 'in' | 'out';
  body: MessageBody;
  now: number;
  /** For business messages: the sending app, persona and send metadata. */
  appId?: string | null;
  personaId?: string | null;
  messagingType?: string | null;
  tag?: string | null;
  /** A proactive update's consent category. */
  notificationCategory?: string | null;
  /** A proactive update asking a question with postback buttons (answers.ts). */
  awaitsAnswer?: boolean;
  /** What the business's webhook carries when it differs from the stored body (a customer's file: its URL for the page). */
  webhookBody?: MessageBody;
}

/**
 * A message the hub writes itself (expiry reminders, the customer's answers to them, system
 * lines such as "Ada joined"): stored and streamed like any message, but never sent to the
 * business as a webhook, and it does not open the business's 24-hour window.
 */
export interface HubMessageEntry {
  kind: 'hub_message';
  conversation: { id: string; customer_id: string };
  direction: 'in' | 'out';
  body: MessageBody;
  now: number;
  /** A system line (`system: true` on the wire). */
  system?: boolean;
}

/** A frame for the customer's streams, persisted with the next cursor. */
export interface FrameEntry {
  kind: 'frame';
  customerId: string;
  frame: Exclude<NewFrame, { type: 'message' }>;
  now: number;
}

/** A webhook event about a conversation for the apps of its page. */
export interface WebhookEntry {
  kind: 'webhook';
  event: WebhookEvent;
}

/** A webhook event about the page itself (no conversation, no customer content): its value in plain JSON. */
export interface PageWebhookEntry {
  kind: 'page_webhook';
  pageId: string;
  field: string;
  value: unknown;
  now: number;
}

export type TimelineEntry = MessageEntry | HubMessageEntry | FrameEntry | WebhookEntry | PageWebhookEntry;

/** What one entry appended: the message as the customer sees it, the event's cursor, the apps that got a webhook row. */
export interface Appended {
  message: ChatMessage | null;
  cursor: number | null;
  apps: string[];
}

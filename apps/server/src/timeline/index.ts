/**
 * The messaging kernel: the one write path of conversations' timelines (append.ts), the
 * customer's event log (frames.ts), what webhooks carry (webhook-items.ts) and how messages
 * present their persona (personas.ts). Features append through these typed helpers, one
 * per kind of entry, or several entries at once with `appendToTimeline`.
 */
import type { ChatMessage } from '@confide/protocol';
import type { Bus } from '../bus/bus.js';
import type { WriteTx } from '../storage/write-queue.js';
import { appendToTimeline } from './append.js';
import type { FrameEntry, HubMessageEntry, MessageEntry, PageWebhookEntry } from './entries.js';
import type { WebhookEvent } from './webhook-items.js';

export { appendToTimeline, SYSTEM_LINE_TYPE } from './append.js';
export type * from './entries.js';
export { currentCursor, readCustomerEvents, type NewFrame } from './frames.js';
export type { MessagingItem, WebhookEvent } from './webhook-items.js';

type Fields<E> = Omit<E, 'kind'>;

async function one(tx: WriteTx, bus: Bus, entry: Parameters<typeof appendToTimeline>[2][number]) {
  // An index, not a destructuring pattern: no array iterator per append.
  const appended = (await appendToTimeline(tx, bus, [entry]))[0];
  if (appended === undefined) throw new Error('timeline append returned nothing');
  return appended;
}

/** A customer's or the business's message; returns it as the customer's stream shows it. */
export async function appendMessage(tx: WriteTx, bus: Bus, entry: Fields<MessageEntry>): Promise<ChatMessage> {
  return (await one(tx, bus, { kind: 'message', ...entry })).message as ChatMessage;
}

/** What is known only once written: not in a set-based job, whose appends wait for COMMIT (append.ts). */
function written(tx: WriteTx, helper: string): WriteTx {
  if (tx.batch !== undefined) throw new Error(`${helper} answers what the store wrote: not in a set-based job`);
  return tx;
}

/** A message the hub writes itself (no webhook, no window); returns it as streamed. */
export async function appendHubMessage(tx: WriteTx, bus: Bus, entry: Fields<HubMessageEntry>): Promise<ChatMessage> {
  return (await one(tx, bus, { kind: 'hub_message', ...entry })).message as ChatMessage;
}

/** A frame for the customer's streams; returns its cursor. */
export async function appendFrame(
  tx: WriteTx,
  bus: Bus,
  customerId: string,
  frame: FrameEntry['frame'],
  now: number,
): Promise<number> {
  return (await one(written(tx, 'appendFrame'), bus, { kind: 'frame', customerId, frame, now })).cursor as number;
}

/** A webhook event about a conversation; returns how many apps got it. */
export async function appendWebhook(tx: WriteTx, bus: Bus, event: WebhookEvent): Promise<number> {
  return (await one(written(tx, 'appendWebhook'), bus, { kind: 'webhook', event })).apps.length;
}

/** A webhook event about the page itself; returns how many apps got it. */
export async function appendPageWebhook(tx: WriteTx, bus: Bus, entry: Fields<PageWebhookEntry>): Promise<number> {
  return (await one(written(tx, 'appendPageWebhook'), bus, { kind: 'page_webhook', ...entry })).apps.length;
}
export { timelineServices, TimelineConsumers, type MessageAppended, type TimelineConsumer } from './consumers.js';

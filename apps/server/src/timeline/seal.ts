/**
 * The one place that decides what of the timeline is encrypted under which key (the vault,
 * privacy/vault.ts, holds the keys): a message body under its customer's message key for
 * the conversation, a webhook payload under the customer's payload key (sealed once for
 * every app that gets it), and a page-level webhook (no customer content) in plain JSON.
 * What is sealed here is already masked (append.ts): the vault seals what it is given.
 */
import type { MessageBody } from '@confide/protocol';
import type { WriteTx } from '../storage/write-queue.js';
import { timelineStoreOf, type OutboxRecord } from '../storage/timeline-store.js';
import { webhookPayload, type WebhookEvent } from './webhook-items.js';

export function sealMessageBody(
  tx: WriteTx,
  conversation: { id: string; customer_id: string },
  body: MessageBody,
): Promise<string> {
  return tx.vault.sealMessage(conversation.customer_id, conversation.id, body);
}

/**
 * The outbox record of a conversation's webhook event, its payload sealed; when no app would get
 * it, none (or, for a store that routes again when it writes, the record unsealed).
 */
export async function sealedOutbox(tx: WriteTx, event: WebhookEvent): Promise<OutboxRecord | undefined> {
  const route = {
    pageId: event.pageId,
    field: event.field,
    targetAppId: event.targetAppId ?? null,
    threadOwnerAppId: event.threadOwnerAppId,
  };
  // In a set-based job, the page's apps as the transaction's batch has them (no read per message).
  const store = timelineStoreOf(tx.db);
  const may = store.mayDeliver(tx.db, route, tx.batch?.routes);
  const { conversationId, timestamp: now } = event;
  if (!(may instanceof Promise ? await may : may))
    // Unsealed, for a store that routes again when it writes (and fails should an app get it).
    return store.routesOnWrite === true ? { ...route, conversationId, payload: null, now } : undefined;
  const payload = await tx.vault.sealPayload(event.customerId, conversationId, webhookPayload(event));
  return { ...route, conversationId, payload, now };
}

/** The outbox record of a page-level event: no conversation, no customer, nothing to seal. */
export function pageOutbox(pageId: string, field: string, value: unknown, now: number): OutboxRecord {
  return {
    pageId,
    conversationId: '',
    field,
    targetAppId: null,
    threadOwnerAppId: null,
    payload: JSON.stringify(value),
    now,
  };
}

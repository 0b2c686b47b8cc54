/**
 * The durable webhook outbox: a webhook event is written in the same transaction as the
 * change that caused it, and delivered later by the worker. Events go to the page's app
 * when it has a callback URL and subscribes to the field. When another app controls the
 * thread (handover), the page's app receives the event as `standby` instead.
 */
import type { WriteTx } from '../../storage/write-queue.js';
import type { Bus } from '../../bus/bus.js';

/** A `messaging[]` item without sender/recipient/timestamp, which the outbox fills in. */
export type MessagingItem = Record<string, unknown>;

export interface EnqueueWebhookInput {
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

/** Inserts the event for every app that should see it; returns how many rows were written. */
export async function enqueueWebhook(tx: WriteTx, bus: Bus, input: EnqueueWebhookInput): Promise<number> {
  const apps = await tx.db
    .selectFrom('apps')
    .select(['id', 'subscribed_fields', 'webhook_url', 'webhook_status'])
    .where('page_id', '=', input.pageId)
    .execute();
  let written = 0;
  for (const app of apps) {
    if (app.webhook_url === null) continue;
    if (input.targetAppId !== undefined && input.targetAppId !== app.id) continue;
    const standby = input.targetAppId === undefined && input.threadOwnerAppId !== null && input.threadOwnerAppId !== app.id;
    const field = standby ? 'standby' : input.field;
    const fields = JSON.parse(app.subscribed_fields) as string[];
    if (!fields.includes(field)) continue;
    const sender = input.fromPage ? input.pageId : input.psid;
    const recipient = input.fromPage ? input.psid : input.pageId;
    const payload = { sender: { id: sender }, recipient: { id: recipient }, timestamp: input.timestamp, ...input.item };
    await tx.db
      .insertInto('webhook_outbox')
      .values({
        app_id: app.id,
        page_id: input.pageId,
        conversation_id: input.conversationId,
        field,
        payload: await tx.vault.sealPayload(input.customerId, input.conversationId, payload),
        created_at: input.timestamp,
        next_attempt_at: input.timestamp,
        delivered_at: null,
        last_error: null,
      })
      .execute();
    written += 1;
    const appId = app.id;
    tx.afterCommit(() => bus.publish({ name: 'webhook.enqueued', appId }));
  }
  return written;
}

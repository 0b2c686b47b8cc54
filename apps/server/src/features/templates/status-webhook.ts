/**
 * The `message_template_status_update` webhook: a page-level event (no conversation) that
 * goes through the same durable outbox as messaging events, written in the transaction
 * that changed the template's status. Its payload names a template, never a customer, so
 * it is stored unsealed (the vault reads plain JSON as is) with an empty conversation id.
 */
import type { MessageTemplateStatusUpdate } from '@confide/protocol';
import type { Bus } from '../../bus/bus.js';
import type { WriteTx } from '../../storage/write-queue.js';
import { announceWebhooks } from '../webhooks/outbox.js';

export const TEMPLATE_STATUS_FIELD = 'message_template_status_update';

/** Queues the event for every app of the page that has a callback URL and subscribes to the field. */
export async function enqueueTemplateStatus(
  tx: WriteTx,
  bus: Bus,
  pageId: string,
  value: MessageTemplateStatusUpdate,
  now: number,
): Promise<number> {
  const apps = await tx.db
    .selectFrom('apps')
    .select(['id', 'subscribed_fields', 'webhook_url'])
    .where('page_id', '=', pageId)
    .execute();
  const targets = apps.filter(
    (a) => a.webhook_url !== null && (JSON.parse(a.subscribed_fields) as string[]).includes(TEMPLATE_STATUS_FIELD),
  );
  for (const app of targets) {
    await tx.db
      .insertInto('webhook_outbox')
      .values({
        app_id: app.id,
        page_id: pageId,
        conversation_id: '',
        field: TEMPLATE_STATUS_FIELD,
        payload: JSON.stringify(value),
        created_at: now,
        next_attempt_at: now,
        delivered_at: null,
        last_error: null,
      })
      .execute();
  }
  announceWebhooks(
    tx,
    bus,
    targets.map((a) => a.id),
  );
  return targets.length;
}

/**
 * The `message_template_status_update` webhook: a page-level event (no conversation) that
 * goes through the same durable outbox as messaging events (the kernel's page webhook), written in the transaction
 * that changed the template's status. Its payload names a template, never a customer, so
 * it is stored unsealed (the vault reads plain JSON as is) with an empty conversation id.
 */
import type { MessageTemplateStatusUpdate } from '@confide/protocol';
import type { Bus } from '../../bus/bus.js';
import type { WriteTx } from '../../storage/write-queue.js';
import { appendPageWebhook } from '../../timeline/index.js';

export const TEMPLATE_STATUS_FIELD = 'message_template_status_update';

/** Queues the event for every app of the page that has a callback URL and subscribes to the field. */
export async function enqueueTemplateStatus(
  tx: WriteTx,
  bus: Bus,
  pageId: string,
  value: MessageTemplateStatusUpdate,
  now: number,
): Promise<number> {
  return appendPageWebhook(tx, bus, { pageId, field: TEMPLATE_STATUS_FIELD, value, now });
}

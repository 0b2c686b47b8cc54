/**
 * Builds the webhook POST body (reference §5.2): `{object:"page", entry:[{id, time,
 * messaging:[…]}]}`, with `standby:[…]` for events the app receives as a non-owner, and
 * `changes:[{field, value}]` for page-level fields such as `message_template_status_update`.
 * Consecutive events of the same page and kind share an entry, so the body keeps the
 * outbox order.
 */

/** Fields delivered as `entry[].changes[]` (page-level events) rather than `messaging[]`. */
export const CHANGE_FIELDS: ReadonlySet<string> = new Set(['message_template_status_update']);

export interface EnvelopeEvent {
  pageId: string;
  field: string;
  item: unknown;
}

export interface WebhookEntryBody {
  id: string;
  time: number;
  messaging?: unknown[];
  standby?: unknown[];
  changes?: unknown[];
}

export interface WebhookBody {
  object: 'page';
  entry: WebhookEntryBody[];
}

export function buildEnvelope(events: readonly EnvelopeEvent[], time: number): WebhookBody {
  const entry: WebhookEntryBody[] = [];
  let current: { pageId: string; key: 'messaging' | 'standby' | 'changes'; items: unknown[] } | undefined;
  for (const event of events) {
    const key = event.field === 'standby' ? 'standby' : CHANGE_FIELDS.has(event.field) ? 'changes' : 'messaging';
    if (current === undefined || current.pageId !== event.pageId || current.key !== key) {
      current = { pageId: event.pageId, key, items: [] };
      entry.push({ id: event.pageId, time, [key]: current.items });
    }
    current.items.push(key === 'changes' ? { field: event.field, value: event.item } : event.item);
  }
  return { object: 'page', entry };
}

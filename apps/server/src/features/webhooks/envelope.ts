/**
 * Builds the webhook POST body (reference §5.2): `{object:"page", entry:[{id, time,
 * messaging:[…]}]}`, with `standby:[…]` for events the app receives as a non-owner, and
 * `changes:[{field, value}]` for page-level fields such as `message_template_status_update`.
 * Consecutive events of the same page and kind share an entry, so the body keeps the
 * outbox order.
 */
import { escapeWebhookJson } from '@confide/protocol';

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

type EntryKey = 'messaging' | 'standby' | 'changes';

/** Consecutive events of one page and kind, one entry of the body. */
interface EntryGroup<T> {
  pageId: string;
  key: EntryKey;
  events: T[];
}

function groupEntries<T extends { pageId: string; field: string }>(events: readonly T[]): EntryGroup<T>[] {
  const groups: EntryGroup<T>[] = [];
  let current: EntryGroup<T> | undefined;
  for (const event of events) {
    const key = event.field === 'standby' ? 'standby' : CHANGE_FIELDS.has(event.field) ? 'changes' : 'messaging';
    if (current === undefined || current.pageId !== event.pageId || current.key !== key) {
      current = { pageId: event.pageId, key, events: [] };
      groups.push(current);
    }
    current.events.push(event);
  }
  return groups;
}

export function buildEnvelope(events: readonly EnvelopeEvent[], time: number): WebhookBody {
  const entry = groupEntries(events).map(({ pageId, key, events: group }) => ({
    id: pageId,
    time,
    [key]: group.map((e) => (key === 'changes' ? { field: e.field, value: e.item } : e.item)),
  }));
  return { object: 'page', entry };
}

/** An event whose item is already JSON text (`JSON.stringify`'s, as the outbox stores it). */
export interface EnvelopeJsonEvent {
  pageId: string;
  field: string;
  json: string;
}

/**
 * The POST body of `buildEnvelope`, as `serializeWebhookBody` writes it, assembled from the
 * items' JSON texts: the outbox payloads are spliced in, never parsed and serialised again.
 */
export function serializeEnvelope(events: readonly EnvelopeJsonEvent[], time: number): string {
  const at = JSON.stringify(time);
  const entries = groupEntries(events).map(({ pageId, key, events: group }) => {
    const items = group.map((e) =>
      key === 'changes' ? `{"field":${JSON.stringify(e.field)},"value":${e.json}}` : e.json,
    );
    return `{"id":${JSON.stringify(pageId)},"time":${at},"${key}":[${items.join(',')}]}`;
  });
  return escapeWebhookJson(`{"object":"page","entry":[${entries.join(',')}]}`);
}

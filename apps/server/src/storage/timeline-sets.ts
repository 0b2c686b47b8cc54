/**
 * A batch of append commands (timeline-store.ts) as the row sets both stores write
 * set-based (`appendBatch` in timeline-sqlite.ts and timeline-postgres.ts): the message
 * rows in order, one conversation update per conversation (what the last of its messages
 * would have left), one counter bump per customer (by how many events it gets; customers and
 * conversations in id order, so concurrent transactions lock their rows in one order), and the event rows, each
 * with its rank among its customer's events: its cursor is the bumped counter minus the
 * customer's count plus its rank, the order a command-by-command append would have given.
 */
import type { AppendCommand, AppendOutcome, EventRecord, MessageRecord, OutboxRecord } from './timeline-store.js';

/** The conversation's timestamps after the batch: `customerNow` null when no message opened the window. */
export interface Touch {
  id: string;
  now: number;
  customerNow: number | null;
}

export interface TimelineSets {
  messages: MessageRecord[];
  touches: Touch[];
  /** Per customer, in id order: how many events it gets. */
  counters: Array<{ customerId: string; count: number }>;
  /** Each event with its command's index and its rank (1-based) among its customer's events. */
  events: Array<{ index: number; rank: number; event: EventRecord }>;
  /** Each outbox event with its command's index. */
  outbox: Array<{ index: number; outbox: OutboxRecord }>;
}

export function timelineSets(batch: readonly AppendCommand[]): TimelineSets {
  const sets: TimelineSets = { messages: [], touches: [], counters: [], events: [], outbox: [] };
  const touches = new Map<string, Touch>();
  const counts = new Map<string, number>();
  batch.forEach(({ message, event, outbox }, index) => {
    if (message !== undefined) {
      const { row, opensWindow } = message;
      sets.messages.push(row);
      const touch = touches.get(row.conversationId);
      const customerNow = opensWindow ? row.now : (touch?.customerNow ?? null);
      touches.set(row.conversationId, { id: row.conversationId, now: row.now, customerNow });
    }
    if (event !== undefined) {
      const rank = (counts.get(event.customerId) ?? 0) + 1;
      counts.set(event.customerId, rank);
      sets.events.push({ index, rank, event });
    }
    if (outbox !== undefined) sets.outbox.push({ index, outbox });
  });
  sets.touches = [...touches.values()].sort((a, b) => byId(a.id, b.id));
  sets.counters = [...counts].sort(([a], [b]) => byId(a, b)).map(([customerId, count]) => ({ customerId, count }));
  return sets;
}

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The outcomes of the batch, their cursors given each customer's counter after the bump (the
 * apps are the store's to fill). Throws when a customer has no counter (an erased customer's
 * rows are gone): the batch cannot be written as a whole.
 */
export function batchOutcomes(
  size: number,
  sets: TimelineSets,
  counters: ReadonlyMap<string, number>,
): AppendOutcome[] {
  const outcomes: AppendOutcome[] = Array.from({ length: size }, () => ({ seq: null, apps: [] }));
  const counts = new Map(sets.counters.map((c) => [c.customerId, c.count]));
  for (const { index, rank, event } of sets.events) {
    const last = counters.get(event.customerId);
    if (last === undefined) throw new Error(`timeline batch: customer ${event.customerId} has no event counter`);
    (outcomes[index] as AppendOutcome).seq = Number(last) - (counts.get(event.customerId) ?? 0) + rank;
  }
  return outcomes;
}

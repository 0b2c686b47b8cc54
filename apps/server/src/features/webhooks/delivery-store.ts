/**
 * The outbox side of delivery. Each app's pending rows form one queue; order is kept per
 * conversation (claim.ts claims an app's due events as several batches partitioned by
 * conversation). A claimed batch is marked with a lease (`leased_until`, `lease_owner`) so
 * several worker processes share the outbox without claiming the same rows. A lease is short
 * and renewed while its worker is delivering (`renewLease`), so a dead worker's batch is
 * taken over soon after. Every statement here is one per batch, whatever its size.
 */
import { sql, type Kysely } from 'kysely';
import { inList, listParam, pairsTable, prepare } from '../../storage/prepared.js';
import type { Database } from '../../storage/schema.js';
import type { WriteTx } from '../../storage/write-queue.js';
import type { FrameEntry } from '../../timeline/index.js';
import type { SealedWebhookSecrets } from '../pages/webhook-secrets.js';

/** Fields whose delivery moves the customer's "delivered" receipt. */
const RECEIPT_FIELDS: ReadonlySet<string> = new Set(['messages', 'messaging_postbacks']);

// The statements of every batch, prepared once (storage/prepared.ts); a batch's ids are one
// list parameter, so each is one statement per batch however many events it holds.
type Ids = { ids: string | number[] };
const markDelivered = prepare<Ids & { now: number }>()((db, p, dialect) =>
  db
    .updateTable('webhook_outbox')
    .set((eb) => ({
      delivered_at: p('now'),
      attempts: eb('attempts', '+', 1),
      last_error: null,
      leased_until: null,
      lease_owner: null,
    }))
    .where(inList('id', p('ids'), 'bigint', dialect))
    .where('delivered_at', 'is', null),
);
const renewRows = prepare<Ids & { until: number; owner: string }>()((db, p, dialect) =>
  db
    .updateTable('webhook_outbox')
    .set({ leased_until: p('until') })
    .where(inList('id', p('ids'), 'bigint', dialect))
    .where('lease_owner', '=', p('owner'))
    .where('delivered_at', 'is', null),
);
const releaseRows = prepare<Ids & { owner: string }>()((db, p, dialect) =>
  db
    .updateTable('webhook_outbox')
    .set({ leased_until: null, lease_owner: null })
    .where(inList('id', p('ids'), 'bigint', dialect))
    .where('lease_owner', '=', p('owner')),
);
const retryRows = prepare<Ids & { owner: string; at: number; error: string }>()((db, p, dialect) =>
  db
    .updateTable('webhook_outbox')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      next_attempt_at: p('at'),
      last_error: p('error'),
      leased_until: null,
      lease_owner: null,
    }))
    .where(inList('id', p('ids'), 'bigint', dialect))
    .where('lease_owner', '=', p('owner'))
    .where('delivered_at', 'is', null),
);
const healApp = prepare<{ appId: string }>()((db, p) =>
  db
    .updateTable('apps')
    .set({ webhook_failing_since: null, webhook_alerted_at: null })
    .where('id', '=', p('appId'))
    .where('webhook_failing_since', 'is not', null),
);
/** Moves the page-side delivery watermark of every listed conversation that is behind; returns those moved. */
const moveDeliveredWatermarks = prepare<{ ids: string | string[]; watermarks: string | number[] }>()((db, p, dialect) =>
  db
    .updateTable('conversations')
    .from(pairsTable(p('ids'), p('watermarks'), ['text', 'bigint'], dialect).as('w'))
    .set({ page_delivered_wm: sql<number>`w.v` })
    .whereRef('conversations.id', '=', sql<string>`w.k`)
    .where('conversations.page_delivered_wm', '<', sql<number>`w.v`)
    .returning(['conversations.id as id', 'conversations.page_delivered_wm as watermark']),
);

export interface ClaimedEvent {
  id: number;
  pageId: string;
  conversationId: string;
  /** Null when the conversation was erased after the event was queued. */
  customerId: string | null;
  field: string;
  /** The payload (the body's `messaging[]` item) as JSON text, spliced into the body as it is. */
  json: string;
  createdAt: number;
}

export interface ClaimedBatch {
  appId: string;
  /** The worker holding the lease. */
  owner: string;
  pageId: string;
  url: string;
  /** Attempts already made for the head of the queue (drives the backoff). */
  attempts: number;
  /** The app's signing secrets, sealed, as the claim read them with the app's row. */
  secrets: SealedWebhookSecrets;
  events: ClaimedEvent[];
}

/**
 * Apps whose queue head is due and not leased, most overdue first. Each app's head is one
 * seek in the (app_id, delivered_at, id) index; apps are few next to their events.
 */
export async function findDueApps(db: Kysely<Database>, now: number, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('apps as a')
    .innerJoin('webhook_outbox as h', (join) =>
      join.on((eb) =>
        eb(
          'h.id',
          '=',
          eb
            .selectFrom('webhook_outbox as o')
            .select((e) => e.fn.min('o.id').as('head_id'))
            .whereRef('o.app_id', '=', 'a.id')
            .where('o.delivered_at', 'is', null),
        ),
      ),
    )
    .select('a.id as app_id')
    .where('a.webhook_status', '=', 'active')
    .where('a.webhook_url', 'is not', null)
    .where('h.next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('h.leased_until', 'is', null), eb('h.leased_until', '<=', now)]))
    .orderBy('h.next_attempt_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.app_id);
}

/**
 * Extends the lease of a batch its owner is still delivering. False when the lease was lost
 * (it ran out and another worker claimed the rows): the caller must stop.
 */
export async function renewLease(tx: WriteTx, batch: ClaimedBatch, leasedUntil: number): Promise<boolean> {
  const res = await renewRows.run(tx.db, {
    ids: listParam(tx.db, idsOf(batch)),
    until: leasedUntil,
    owner: batch.owner,
  });
  return (res.numAffectedRows ?? 0n) > 0n;
}

/** Gives a batch back without counting an attempt (worker stopping before it posted). */
export async function releaseBatch(tx: WriteTx, batch: ClaimedBatch, owner: string): Promise<void> {
  await releaseRows.run(tx.db, { ids: listParam(tx.db, idsOf(batch)), owner });
}

/** A conversation whose page-side delivery watermark a delivered batch moved. */
export interface MovedReceipt {
  customerId: string;
  conversationId: string;
  watermark: number;
}

/**
 * How the write job recording a delivered batch runs: set-based (its receipts' events are
 * written with the transaction's other appends, storage/timeline-batch.ts: it reads no
 * timeline row and changes no app's routing), holding the partitions of the customers whose
 * receipts it may append (storage/pending-jobs.ts).
 */
export function deliveryJobOptions(batch: ClaimedBatch): { partition: string[]; setBased: true } {
  const customers = new Set<string>();
  for (const e of batch.events) if (RECEIPT_FIELDS.has(e.field) && e.customerId !== null) customers.add(e.customerId);
  return { partition: [...customers], setBased: true };
}

/**
 * Marks a batch delivered, ends the app's failure run, and advances the page-side
 * delivery watermark of every conversation whose messages or postbacks were in the batch.
 * Returns whether the app had been failing, and the watermarks it moved (the worker appends
 * their receipt frames to the timeline in the same transaction).
 */
export async function recordSuccess(
  tx: WriteTx,
  batch: ClaimedBatch,
  now: number,
): Promise<{ recovered: boolean; receipts: MovedReceipt[] }> {
  await markDelivered.run(tx.db, { ids: listParam(tx.db, idsOf(batch)), now });
  const healed = await healApp.run(tx.db, { appId: batch.appId });

  const newest = new Map<string, { customerId: string; watermark: number }>();
  for (const e of batch.events) {
    if (!RECEIPT_FIELDS.has(e.field) || e.customerId === null) continue;
    const seen = newest.get(e.conversationId);
    if (seen === undefined || e.createdAt > seen.watermark)
      newest.set(e.conversationId, { customerId: e.customerId, watermark: e.createdAt });
  }
  if (newest.size === 0) return { recovered: (healed.numAffectedRows ?? 0n) > 0n, receipts: [] };
  // Conversations in id order, so concurrent completions lock their rows in one order.
  const ids = [...newest.keys()].sort();
  const rows = await moveDeliveredWatermarks.rows(tx.db, {
    ids: listParam(tx.db, ids),
    watermarks: listParam(
      tx.db,
      ids.map((id) => (newest.get(id) as { watermark: number }).watermark),
    ),
  });
  // The receipts' frames are appended in customer order (their event counters are locked in one order).
  const moved = rows
    .map((r) => ({
      customerId: (newest.get(r.id) as { customerId: string }).customerId,
      conversationId: r.id,
      watermark: Number(r.watermark),
    }))
    .sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
  return { recovered: (healed.numAffectedRows ?? 0n) > 0n, receipts: moved };
}

export interface FailureOptions {
  now: number;
  error: string;
  retryDelayMs: number;
  alertAfterMs: number;
  disableAfterMs: number;
}

export interface FailureOutcome {
  failingSince: number;
  /** True when this failure crossed the alert threshold. */
  alerted: boolean;
  /** True when this failure disabled the subscription. */
  disabled: boolean;
}

/**
 * Schedules the batch's retry and moves the app's failure clock (alert, then disable). Rows
 * whose lease another worker has taken since are left to that worker.
 */
export async function recordFailure(tx: WriteTx, batch: ClaimedBatch, opts: FailureOptions): Promise<FailureOutcome> {
  const { now } = opts;
  await retryRows.run(tx.db, {
    ids: listParam(tx.db, idsOf(batch)),
    owner: batch.owner,
    at: now + opts.retryDelayMs,
    error: opts.error.slice(0, 500),
  });
  const app = await tx.db
    .selectFrom('apps')
    .select(['webhook_failing_since', 'webhook_alerted_at', 'webhook_status'])
    .where('id', '=', batch.appId)
    .executeTakeFirstOrThrow();
  const failingSince = app.webhook_failing_since ?? now;
  const failingFor = now - failingSince;
  const alerted = app.webhook_alerted_at === null && failingFor >= opts.alertAfterMs;
  const disabled = app.webhook_status === 'active' && failingFor >= opts.disableAfterMs;
  await tx.db
    .updateTable('apps')
    .set({
      webhook_failing_since: failingSince,
      ...(alerted ? { webhook_alerted_at: now } : {}),
      ...(disabled ? { webhook_status: 'disabled', webhook_disabled_at: now } : {}),
    })
    .where('id', '=', batch.appId)
    .execute();
  return { failingSince, alerted, disabled };
}

/** Apps that have been failing past the alert threshold (the `webhookFailingApps` gauge). */
export async function countFailingApps(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('apps')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('webhook_alerted_at', 'is not', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function idsOf(batch: ClaimedBatch): number[] {
  return batch.events.map((e) => e.id);
}

/** The page-side delivery receipt of a moved watermark, as a frame for the customer's streams. */
export function deliveredFrame(r: MovedReceipt, now: number): FrameEntry {
  const frame = {
    type: 'receipt',
    conversation_id: r.conversationId,
    side: 'page',
    kind: 'delivery',
    watermark: r.watermark,
  } as const;
  return { kind: 'frame', customerId: r.customerId, frame, now };
}

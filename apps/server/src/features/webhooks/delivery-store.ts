/**
 * The outbox side of delivery. Each app's pending rows form one queue, delivered strictly
 * in id order: the head row decides when the app is due, and a claimed batch is marked
 * with a lease (`leased_until`, `lease_owner`) so several worker processes share the
 * outbox without claiming the same rows. A lease is short and renewed while its worker is
 * delivering (`renewLease`), so a dead worker's batch is taken over soon after. Claims are
 * serialised per app by locking the app row (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite
 * has a single writer).
 */
import type { Kysely } from 'kysely';
import { inList, listParam, prepare } from '../../storage/prepared.js';
import type { Database } from '../../storage/schema.js';
import { timelineStoreOf } from '../../storage/timeline-store.js';
import type { WriteTx } from '../../storage/write-queue.js';

/** Fields whose delivery moves the customer's "delivered" receipt. */
const RECEIPT_FIELDS: ReadonlySet<string> = new Set(['messages', 'messaging_postbacks']);

// The statements of every batch, prepared once (storage/prepared.ts); a batch's ids are one
// list parameter.
type Ids = { ids: string | number[] };
const pendingHead = prepare<{ appId: string; limit: number }>()((db, p) =>
  db
    .selectFrom('webhook_outbox as o')
    .leftJoin('conversations as c', 'c.id', 'o.conversation_id')
    .select([
      'o.id',
      'o.page_id',
      'o.conversation_id',
      'o.field',
      'o.payload',
      'o.created_at',
      'o.attempts',
      'o.next_attempt_at',
      'o.leased_until',
      'c.customer_id',
    ])
    .where('o.app_id', '=', p('appId'))
    .where('o.delivered_at', 'is', null)
    .orderBy('o.id')
    .limit(p('limit')),
);
const leaseRows = prepare<Ids & { until: number; owner: string }>()((db, p, dialect) =>
  db
    .updateTable('webhook_outbox')
    .set({ leased_until: p('until'), lease_owner: p('owner') })
    .where(inList('id', p('ids'), 'bigint', dialect)),
);
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
const healApp = prepare<{ appId: string }>()((db, p) =>
  db
    .updateTable('apps')
    .set({ webhook_failing_since: null, webhook_alerted_at: null })
    .where('id', '=', p('appId'))
    .where('webhook_failing_since', 'is not', null),
);
const moveDeliveredWatermark = prepare<{ conversationId: string; watermark: number }>()((db, p) =>
  db
    .updateTable('conversations')
    .set({ page_delivered_wm: p('watermark') })
    .where('id', '=', p('conversationId'))
    .where('page_delivered_wm', '<', p('watermark')),
);

export interface ClaimedEvent {
  id: number;
  pageId: string;
  conversationId: string;
  /** Null when the conversation was erased after the event was queued. */
  customerId: string | null;
  field: string;
  item: unknown;
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

export interface ClaimOptions {
  appId: string;
  owner: string;
  now: number;
  leaseMs: number;
  limit: number;
}

/** Leases the first `limit` pending rows of an app when its head is due; null otherwise. */
export async function claimBatch(
  tx: WriteTx,
  { appId, owner, now, leaseMs, limit }: ClaimOptions,
): Promise<ClaimedBatch | null> {
  const app = await timelineStoreOf(tx.db).lockOutboxApp(tx.db, appId);
  if (app === undefined || app.webhook_url === null) return null;

  const rows = await pendingHead.rows(tx.db, { appId, limit });
  const head = rows[0];
  if (head === undefined || head.next_attempt_at > now) return null;
  // A batch is always the first pending rows of its app, so a batch in flight (leased by
  // this or another worker) shows among these: the app waits for it, which keeps order.
  if (rows.some((r) => r.leased_until !== null && r.leased_until > now)) return null;

  await leaseRows.run(tx.db, {
    ids: listParam(
      tx.db,
      rows.map((r) => r.id),
    ),
    until: now + leaseMs,
    owner,
  });
  return {
    appId,
    owner,
    pageId: app.page_id,
    url: app.webhook_url,
    attempts: head.attempts,
    events: await Promise.all(
      rows.map(async (r) => ({
        id: r.id,
        pageId: r.page_id,
        conversationId: r.conversation_id,
        customerId: r.customer_id,
        field: r.field,
        item: await tx.vault.openPayload(
          { purpose: 'deliver_to_business', actor: `app:${appId}` },
          r.customer_id ?? '',
          r.payload,
        ),
        createdAt: r.created_at,
      })),
    ),
  };
}

/**
 * Extends the lease of a batch its owner is still delivering. False when the lease was lost
 * (it ran out and another worker claimed the rows): the caller must stop.
 */
export async function renewLease(tx: WriteTx, batch: ClaimedBatch, leasedUntil: number): Promise<boolean> {
  const res = await tx.db
    .updateTable('webhook_outbox')
    .set({ leased_until: leasedUntil })
    .where('id', 'in', idsOf(batch))
    .where('lease_owner', '=', batch.owner)
    .where('delivered_at', 'is', null)
    .executeTakeFirst();
  return res.numUpdatedRows > 0n;
}

/** Gives a batch back without counting an attempt (worker stopping before it posted). */
export async function releaseBatch(tx: WriteTx, batch: ClaimedBatch, owner: string): Promise<void> {
  await tx.db
    .updateTable('webhook_outbox')
    .set({ leased_until: null, lease_owner: null })
    .where('id', 'in', idsOf(batch))
    .where('lease_owner', '=', owner)
    .execute();
}

/** A conversation whose page-side delivery watermark a delivered batch moved. */
export interface MovedReceipt {
  customerId: string;
  conversationId: string;
  watermark: number;
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
  // Customer rows are locked in id order, so concurrent completions cannot deadlock on them.
  const receipts = [...newest].sort(([, a], [, b]) =>
    a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0,
  );
  const moved: MovedReceipt[] = [];
  for (const [conversationId, { customerId, watermark }] of receipts) {
    const result = await moveDeliveredWatermark.run(tx.db, { conversationId, watermark });
    if (result.numAffectedRows) moved.push({ customerId, conversationId, watermark });
  }
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
  await tx.db
    .updateTable('webhook_outbox')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      next_attempt_at: now + opts.retryDelayMs,
      last_error: opts.error.slice(0, 500),
      leased_until: null,
      lease_owner: null,
    }))
    .where('id', 'in', idsOf(batch))
    .where('lease_owner', '=', batch.owner)
    .where('delivered_at', 'is', null)
    .execute();
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

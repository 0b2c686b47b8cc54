/**
 * The outbox claim: leases an app's due events as several batches at once, partitioned by
 * conversation. Order is per conversation, not per app, so an app may have several batches in
 * flight as long as no two hold events of the same conversation and no event is claimed
 * while an earlier one of its conversation is pending elsewhere (leased by a batch in flight,
 * or waiting for its retry). Claims of an app are serialised by its row lock (the store's
 * `lockOutboxApp`: `FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has a single writer).
 *
 * Four statements per claim, however many events: the app's row (locked, with its sealed
 * signing secrets, so the batches' POSTs read nothing), the app's pending window (ids and state
 * only), one lease update returning the claimed rows, one read of their conversations.
 */
import { inList, listParam, prepare } from '../../storage/prepared.js';
import { timelineStoreOf } from '../../storage/timeline-store.js';
import type { WriteTx } from '../../storage/write-queue.js';
import type { ClaimedBatch, ClaimedEvent } from './delivery-store.js';

/** An app's pending rows in id order, without their payloads. */
const pendingWindow = prepare<{ appId: string; limit: number }>()((db, p) =>
  db
    .selectFrom('webhook_outbox')
    .select(['id', 'conversation_id', 'attempts', 'next_attempt_at', 'leased_until'])
    .where('app_id', '=', p('appId'))
    .where('delivered_at', 'is', null)
    .orderBy('id')
    .limit(p('limit')),
);
const leaseRows = prepare<{ ids: string | number[]; until: number; owner: string }>()((db, p, dialect) =>
  db
    .updateTable('webhook_outbox')
    .set({ leased_until: p('until'), lease_owner: p('owner') })
    .where(inList('id', p('ids'), 'bigint', dialect))
    .returning(['id', 'page_id', 'field', 'payload', 'created_at']),
);
const customersOf = prepare<{ ids: string | string[] }>()((db, p, dialect) =>
  db
    .selectFrom('conversations')
    .select(['id', 'customer_id'])
    .where(inList('id', p('ids'), 'text', dialect)),
);

/** A pending row as the partition sees it. */
export interface PendingRow {
  id: number;
  conversation_id: string;
  attempts: number;
  next_attempt_at: number;
  leased_until: number | null;
}

/** A batch the partition planned: its rows in id order. */
export type PlannedBatch = PendingRow[];

/**
 * Splits an app's pending rows (in id order, a prefix of its queue) into at most `batches`
 * batches of at most `limit` rows. A row is taken only when every earlier pending row of its
 * conversation is taken too, into the same batch: a conversation with a row leased (in flight)
 * or waiting for its retry is skipped from that row on, and so is one whose batch is full.
 * New conversations go to the batches in turn, so the batches fill evenly.
 */
export function partitionByConversation(
  rows: readonly PendingRow[],
  { now, limit, batches }: { now: number; limit: number; batches: number },
): PlannedBatch[] {
  const planned: PlannedBatch[] = [];
  const batchOf = new Map<string, PlannedBatch | null>();
  let next = 0;
  let full = 0;
  for (const row of rows) {
    let batch = batchOf.get(row.conversation_id);
    if (batch === null) continue;
    const busy = (row.leased_until !== null && row.leased_until > now) || row.next_attempt_at > now;
    if (batch === undefined && !busy) batch = openBatch(planned, batches, limit, next++);
    if (busy || batch === undefined || batch.length >= limit) {
      batchOf.set(row.conversation_id, null);
      continue;
    }
    batchOf.set(row.conversation_id, batch);
    batch.push(row);
    if (batch.length === limit && ++full === batches) break;
  }
  return planned.filter((b) => b.length > 0);
}

/** The batch a new conversation joins: the next in turn that has room; undefined when all are full. */
function openBatch(planned: PlannedBatch[], batches: number, limit: number, turn: number): PlannedBatch | undefined {
  while (planned.length < batches) planned.push([]);
  for (let i = 0; i < batches; i++) {
    const batch = planned[(turn + i) % batches] as PlannedBatch;
    if (batch.length < limit) return batch;
  }
  return undefined;
}

export interface ClaimOptions {
  appId: string;
  owner: string;
  now: number;
  leaseMs: number;
  /** Most events per batch (WEBHOOK_BATCH_SIZE). */
  limit: number;
  /** Most batches to claim. */
  batches: number;
  /** Pending rows to look through (at least `limit`): rows in flight and blocked conversations take room in it. */
  window: number;
}

/**
 * Leases up to `batches` batches of an app's pending events when its queue head is due (a
 * failing app backs off as a whole: its head waits for its retry); none otherwise.
 */
export async function claimBatches(tx: WriteTx, options: ClaimOptions): Promise<ClaimedBatch[]> {
  const { appId, owner, now } = options;
  const app = await timelineStoreOf(tx.db).lockOutboxApp(tx.db, appId);
  if (app === undefined || app.webhook_url === null) return [];
  const rows = await pendingWindow.rows(tx.db, { appId, limit: Math.max(options.window, options.limit) });
  const head = rows[0];
  if (head === undefined || head.next_attempt_at > now) return [];
  const planned = partitionByConversation(rows, { now, limit: options.limit, batches: options.batches });
  if (planned.length === 0) return [];

  const leased = await leaseRows.rows(tx.db, {
    ids: listParam(
      tx.db,
      planned.flatMap((b) => b.map((r) => r.id)),
    ),
    until: now + options.leaseMs,
    owner,
  });
  const ids = [...new Set(planned.flatMap((b) => b.map((r) => r.conversation_id)))];
  const customers = new Map(
    (await customersOf.rows(tx.db, { ids: listParam(tx.db, ids) })).map((c) => [c.id, c.customer_id]),
  );
  const byId = new Map(leased.map((r) => [r.id, r]));
  const access = { purpose: 'deliver_to_business', actor: `app:${appId}` } as const;
  const secrets = { secret_enc: app.secret_enc, std_webhook_secret_enc: app.std_webhook_secret_enc };
  const open = async (r: PendingRow): Promise<ClaimedEvent> => {
    const row = byId.get(r.id) as (typeof leased)[number];
    const customerId = customers.get(r.conversation_id) ?? null;
    return {
      id: r.id,
      pageId: row.page_id,
      conversationId: r.conversation_id,
      customerId,
      field: row.field,
      json: await tx.vault.openPayloadJson(access, customerId ?? '', row.payload),
      createdAt: row.created_at,
    };
  };
  // A row gone since the window was read (its conversation erased) is left out.
  const kept = planned.map((b) => b.filter((r) => byId.has(r.id))).filter((b) => b.length > 0);
  return Promise.all(
    kept.map(async (batch) => ({
      appId,
      owner,
      pageId: app.page_id,
      url: app.webhook_url as string,
      attempts: Math.max(...batch.map((r) => r.attempts)),
      secrets,
      events: await openInOrder(batch, open),
    })),
  );
}

/**
 * Opens a batch's events: conversations side by side, each one's events one after another,
 * so its key is read once (the first open caches it) rather than by every event at once.
 */
async function openInOrder(
  batch: PlannedBatch,
  open: (r: PendingRow) => Promise<ClaimedEvent>,
): Promise<ClaimedEvent[]> {
  const opened = new Map<number, ClaimedEvent>();
  const byConversation = new Map<string, PendingRow[]>();
  for (const r of batch) {
    const rows = byConversation.get(r.conversation_id);
    if (rows === undefined) byConversation.set(r.conversation_id, [r]);
    else rows.push(r);
  }
  await Promise.all(
    [...byConversation.values()].map(async (rows) => {
      for (const r of rows) opened.set(r.id, await open(r));
    }),
  );
  return batch.map((r) => opened.get(r.id) as ClaimedEvent);
}

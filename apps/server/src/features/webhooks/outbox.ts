/**
 * The durable webhook outbox: a webhook event is written in the same transaction as the
 * change that caused it, and delivered later by the worker. Events go to the page's app
 * when it has a callback URL and subscribes to the field. When another app controls the
 * thread (handover), the page's app receives the event as `standby` instead.
 */
import { sql, type Kysely } from 'kysely';
import type { WriteTx } from '../../storage/write-queue.js';
import type { Bus } from '../../bus/bus.js';
import { dialectOf, prepare, type ParamFn } from '../../storage/prepared.js';
import type { Database } from '../../storage/schema.js';

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

const appsOfPage = prepare<{ pageId: string }>()((db, p) =>
  db
    .selectFrom('apps')
    .select(['id', 'subscribed_fields', 'webhook_url', 'webhook_status'])
    .where('page_id', '=', p('pageId')),
);
const insertOutbox = prepare<{
  appId: string;
  pageId: string;
  conversationId: string;
  field: string;
  payload: string;
  now: number;
}>()((db, p) =>
  db.insertInto('webhook_outbox').values({
    app_id: p('appId'),
    page_id: p('pageId'),
    conversation_id: p('conversationId'),
    field: p('field'),
    payload: p('payload'),
    created_at: p('now'),
    next_attempt_at: p('now'),
    delivered_at: null,
    last_error: null,
  }),
);

export type OutboxParams = {
  pageId: string;
  conversationId: string;
  field: string;
  targetAppId: string | null;
  threadOwnerAppId: string | null;
  payload: string;
  now: number;
};

/**
 * PostgreSQL: the same choice as the loop in `enqueueWebhook`, as one INSERT … SELECT (no round
 * trip to read the apps first): every app of the page with a callback URL, only the target app
 * when there is one, `standby` when another app owns the thread, and only if the app subscribes
 * to the field. Returns `app_id` per row. A statement may carry it as a CTE along with the write
 * that caused the event (features/conversations/record-message.ts).
 */
export function insertOutboxRows(db: Kysely<Database>, p: ParamFn<OutboxParams>) {
  const text = (name: 'pageId' | 'conversationId' | 'field' | 'targetAppId' | 'threadOwnerAppId' | 'payload') =>
    sql<string>`cast(${p(name)} as text)`;
  const field = sql<string>`case when ${text('targetAppId')} is null and ${text('threadOwnerAppId')} is not null and a.id <> ${text('threadOwnerAppId')} then 'standby' else ${text('field')} end`;
  const now = sql<number>`cast(${p('now')} as bigint)`;
  return db
    .insertInto('webhook_outbox')
    .columns(['app_id', 'page_id', 'conversation_id', 'field', 'payload', 'created_at', 'next_attempt_at'])
    .expression((eb) =>
      eb
        .selectFrom('apps as a')
        .select([
          'a.id',
          text('pageId').as('page_id'),
          text('conversationId').as('conversation_id'),
          field.as('field'),
          text('payload').as('payload'),
        ])
        .select([now.as('created_at'), now.as('next_attempt_at')])
        .where('a.page_id', '=', p('pageId'))
        .where('a.webhook_url', 'is not', null)
        .where(sql<boolean>`(${text('targetAppId')} is null or a.id = ${text('targetAppId')})`)
        .where(sql<boolean>`cast(a.subscribed_fields as jsonb) @> jsonb_build_array(${field})`),
    )
    .returning('app_id');
}
const insertOutboxForApps = prepare<OutboxParams>()((db, p) => insertOutboxRows(db, p));

/** What `insertOutboxRows` needs for an event (PostgreSQL), its payload sealed once for every app. */
export async function outboxParams(tx: WriteTx, input: EnqueueWebhookInput): Promise<OutboxParams> {
  const sender = input.fromPage ? input.pageId : input.psid;
  const recipient = input.fromPage ? input.psid : input.pageId;
  const payload = { sender: { id: sender }, recipient: { id: recipient }, timestamp: input.timestamp, ...input.item };
  return {
    pageId: input.pageId,
    conversationId: input.conversationId,
    field: input.field,
    targetAppId: input.targetAppId ?? null,
    threadOwnerAppId: input.threadOwnerAppId,
    // The same payload for every app (it carries nothing app-specific).
    payload: await tx.vault.sealPayload(input.customerId, input.conversationId, payload),
    now: input.timestamp,
  };
}

/** After commit, wakes the delivery worker for each app that got a row. */
export function announceWebhooks(tx: WriteTx, bus: Bus, appIds: Iterable<string>): void {
  for (const appId of appIds) tx.afterCommit(() => bus.publish({ name: 'webhook.enqueued', appId }));
}

/** Inserts the event for every app that should see it; returns how many rows were written. */
export async function enqueueWebhook(tx: WriteTx, bus: Bus, input: EnqueueWebhookInput): Promise<number> {
  if (dialectOf(tx.db) === 'postgres') return enqueueWebhookPg(tx, bus, input);
  const apps = await appsOfPage.rows(tx.db, { pageId: input.pageId });
  let written = 0;
  for (const app of apps) {
    if (app.webhook_url === null) continue;
    if (input.targetAppId !== undefined && input.targetAppId !== app.id) continue;
    const standby =
      input.targetAppId === undefined && input.threadOwnerAppId !== null && input.threadOwnerAppId !== app.id;
    const field = standby ? 'standby' : input.field;
    const fields = JSON.parse(app.subscribed_fields) as string[];
    if (!fields.includes(field)) continue;
    const sender = input.fromPage ? input.pageId : input.psid;
    const recipient = input.fromPage ? input.psid : input.pageId;
    const payload = { sender: { id: sender }, recipient: { id: recipient }, timestamp: input.timestamp, ...input.item };
    await insertOutbox.run(tx.db, {
      appId: app.id,
      pageId: input.pageId,
      conversationId: input.conversationId,
      field,
      payload: await tx.vault.sealPayload(input.customerId, input.conversationId, payload),
      now: input.timestamp,
    });
    written += 1;
    const appId = app.id;
    tx.afterCommit(() => bus.publish({ name: 'webhook.enqueued', appId }));
  }
  return written;
}

async function enqueueWebhookPg(tx: WriteTx, bus: Bus, input: EnqueueWebhookInput): Promise<number> {
  const rows = await insertOutboxForApps.rows(tx.db, await outboxParams(tx, input));
  announceWebhooks(
    tx,
    bus,
    rows.map((r) => r.app_id),
  );
  return rows.length;
}

/**
 * The timeline store on SQLite (timeline-store.ts): plain statements in order, each one a
 * prepared statement (in process, or a message to the writer thread: sqlite-writer/). The
 * event's cursor is the customer's counter bumped first; the outbox routing reads the page's
 * apps (once per page and stretch of a transaction's set-based jobs when given their
 * `RouteCache`, so the writer thread costs no round trip per event) and writes
 * one row per app that should see the event.
 */
import { sql, type Kysely } from 'kysely';
import { answerOf, DEFERRABLE } from './deferred.js';
import { prepare } from './prepared.js';
import type { Database } from './schema.js';
import {
  activeApp,
  findPersona,
  insertMessage,
  preparedSql,
  touchConversation,
  touchConversationByCustomer,
  type OutboxRowParams,
} from './timeline-statements.js';
import { pageApp, routeTo, sealedPayload } from './outbox-routing.js';
import { batchOutcomes, timelineSets } from './timeline-sets.js';
import type {
  AppendCommand,
  AppendOutcome,
  BatchWrite,
  EventRecord,
  MessageRecord,
  OutboxRecord,
  PageApp,
  RouteCache,
  TimelineStore,
} from './timeline-store.js';

const nextCursor = prepare<{ customerId: string }>()((db, p) =>
  db
    .updateTable('customers')
    .set((eb) => ({ event_seq: eb('event_seq', '+', 1) }))
    .where('id', '=', p('customerId'))
    .returning('event_seq'),
);
const insertEvent = prepare<EventRecord & { seq: number }>()((db, p) =>
  db.insertInto('customer_events').values({
    customer_id: p('customerId'),
    seq: p('seq'),
    conversation_id: p('conversationId'),
    type: p('type'),
    ref: p('ref'),
    data: p('data'),
    created_at: p('now'),
  }),
);
const appsOfPage = prepare<{ pageId: string }>()((db, p) =>
  db.selectFrom('apps').select(['id', 'subscribed_fields', 'webhook_url']).where('page_id', '=', p('pageId')),
);
const insertOutbox = prepare<OutboxRowParams>()((db, p) =>
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

async function appendEvent(db: Kysely<Database>, event: EventRecord): Promise<number> {
  const seq = (await nextCursor.takeFirstOrThrow(db, { customerId: event.customerId })).event_seq;
  await insertEvent.run(db, { ...event, seq });
  return seq;
}

/** The routing rule (timeline-store.ts `OutboxRecord`): one row per app that should see the event. */
async function appendOutbox(db: Kysely<Database>, outbox: OutboxRecord, routes?: RouteCache): Promise<string[]> {
  const apps: string[] = [];
  for (const { appId, field } of routeTo(await pageApps(db, outbox.pageId, routes), outbox)) {
    const { pageId, conversationId, now } = outbox;
    await insertOutbox.run(db, { appId, pageId, conversationId, field, payload: sealedPayload(outbox), now });
    apps.push(appId);
  }
  return apps;
}

/** The page's apps: from `routes` when it has them, else read (and kept there). */
async function pageApps(db: Kysely<Database>, pageId: string, routes?: RouteCache): Promise<readonly PageApp[]> {
  let apps = routes?.get(pageId);
  if (apps === undefined) {
    apps = (await appsOfPage.rows(db, { pageId })).map(pageApp);
    routes?.set(pageId, apps);
  }
  return apps;
}

async function appendOne(db: Kysely<Database>, command: AppendCommand, routes?: RouteCache): Promise<AppendOutcome> {
  const { message, event, outbox } = command;
  if (message !== undefined) {
    await insertMessage.run(db, message.row);
    const touch = message.opensWindow ? touchConversationByCustomer : touchConversation;
    await touch.run(db, { id: message.row.conversationId, now: message.row.now });
  }
  const seq = event === undefined ? null : await appendEvent(db, event);
  const apps = outbox === undefined ? [] : await appendOutbox(db, outbox, routes);
  return { seq, apps };
}

// The set-based writes: each row set is one JSON array of arrays, read back with json_each in
// order. Each is deferrable (deferred.ts): none of them needs another's answer before COMMIT.
const deferrable = <O = unknown>(text: TemplateStringsArray, ...values: unknown[]) =>
  sql<O>`${sql.raw(DEFERRABLE)}${sql(text, ...values)}`;
const insertMessages = preparedSql<{ rows: string }>(
  (p) => deferrable`insert into messages (mid, conversation_id, direction, body, created_at, app_id, persona_id,
    messaging_type, tag, notification_category, awaits_answer)
    select value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, value->>8,
      value->>9, value->>10
    from json_each(${p('rows')}) order by key`,
);
const touchConversations = preparedSql<{ rows: string }>(
  (p) => deferrable`update conversations set last_message_at = t.value->>1,
      last_customer_message_at = coalesce(t.value->>2, last_customer_message_at)
    from json_each(${p('rows')}) as t where conversations.id = t.value->>0`,
);
/**
 * The events, each cursor its customer's counter before the bump (`bumpCounters`, which comes
 * after) plus its rank: what `batchOutcomes` computes from the bumped counter. A customer
 * without a counter (erased) gives no cursor and fails the NOT NULL of `seq`.
 */
const insertEvents = preparedSql<{ rows: string }>(
  (p) => deferrable`insert into customer_events (customer_id, seq, conversation_id, type, ref, data, created_at)
    select e.value->>0, (select c.event_seq from customers as c where c.id = e.value->>0) + (e.value->>1),
      e.value->>2, e.value->>3, e.value->>4, e.value->>5, e.value->>6
    from json_each(${p('rows')}) as e order by e.key`,
);
const insertOutboxRows = preparedSql<{ rows: string }>(
  (p) => deferrable`insert into webhook_outbox (app_id, page_id, conversation_id, field, payload, created_at,
      next_attempt_at)
    select value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>5
    from json_each(${p('rows')}) order by key`,
);
const bumpCounters = preparedSql<{ rows: string }, { id: string; event_seq: number }>(
  (p) => deferrable<{ id: string; event_seq: number }>`update customers set event_seq = event_seq + (c.value->>1)
    from json_each(${p('rows')}) as c where customers.id = c.value->>0
    returning id, event_seq`,
);

/**
 * `appendBatch`: five statements for the whole batch, whatever its size (timeline-sets.ts),
 * sent without waiting for any (deferred.ts); the outcomes once they answered. The routing
 * reads (a page's apps missing from `routes`) come first, so the writes go together.
 */
async function appendSet(
  db: Kysely<Database>,
  batch: readonly AppendCommand[],
  routes: RouteCache,
): Promise<BatchWrite> {
  const sets = timelineSets(batch);
  const outbox = await routeOutboxSet(db, sets.outbox, routes);
  const answers: Array<Promise<unknown>> = [];
  const send = async (statement: typeof insertMessages, rows: unknown[][]) => {
    if (rows.length > 0) answers.push(answerOf(await statement.run(db, { rows: JSON.stringify(rows) })));
  };
  await send(insertMessages, sets.messages.map(messageColumns));
  await send(
    touchConversations,
    sets.touches.map((t) => [t.id, t.now, t.customerNow]),
  );
  const events = sets.events.map(({ rank, event: e }) => [
    e.customerId,
    rank,
    e.conversationId,
    e.type,
    e.ref,
    e.data,
    e.now,
  ]);
  await send(insertEvents, events);
  await send(insertOutboxRows, outbox.rows);
  const counters = sets.counters.map((c) => [c.customerId, c.count]);
  const bumped =
    counters.length === 0
      ? Promise.resolve([])
      : answerOf(await bumpCounters.run(db, { rows: JSON.stringify(counters) })).then((r) => r.rows);
  const outcomes = Promise.all([bumped, ...answers]).then(([rows]) => {
    const bumpedTo = new Map(rows.map((row) => [row.id, row.event_seq]));
    const written = batchOutcomes(batch.length, sets, bumpedTo);
    for (const [index, apps] of outbox.apps) (written[index] as AppendOutcome).apps = apps;
    return written;
  });
  return { outcomes };
}

const messageColumns = (m: MessageRecord): unknown[] => [
  m.mid,
  m.conversationId,
  m.direction,
  m.body,
  m.now,
  m.appId,
  m.personaId,
  m.messagingType,
  m.tag,
  m.notificationCategory,
  m.awaitsAnswer,
];

/** The outbox rows of the batch and the apps each command's event goes to; each page's apps read once (or not at all when `routes` has them). */
async function routeOutboxSet(
  db: Kysely<Database>,
  outbox: ReturnType<typeof timelineSets>['outbox'],
  routes: RouteCache,
): Promise<{ rows: unknown[][]; apps: Map<number, string[]> }> {
  const rows: unknown[][] = [];
  const apps = new Map<number, string[]>();
  for (const { index, outbox: o } of outbox) {
    for (const { appId, field } of routeTo(await pageApps(db, o.pageId, routes), o)) {
      rows.push([appId, o.pageId, o.conversationId, field, sealedPayload(o), o.now]);
      apps.set(index, [...(apps.get(index) ?? []), appId]);
    }
  }
  return { rows, apps };
}

const appsOfPages = preparedSql<
  { pageIds: string },
  { page_id: string; id: string; subscribed_fields: string; webhook_url: string | null }
>(
  (p) => deferrable`select page_id, id, subscribed_fields, webhook_url from apps
    where page_id in (select value from json_each(${p('pageIds')}))`,
);

async function appendEach(
  db: Kysely<Database>,
  batch: readonly AppendCommand[],
  routes?: RouteCache,
): Promise<AppendOutcome[]> {
  const outcomes: AppendOutcome[] = [];
  for (const command of batch) outcomes.push(await appendOne(db, command, routes));
  return outcomes;
}

export const sqliteTimelineStore: TimelineStore = {
  append: (db, batch) => appendEach(db, batch),
  appendBatch: async (db, batch, routes = new Map()) =>
    batch.length === 1
      ? { outcomes: Promise.resolve(await appendEach(db, batch, routes)) }
      : appendSet(db, batch, routes),
  // Routing here is a cheap prepared read, or none with the batch's `routes`: an event nobody
  // gets is neither sealed nor written.
  readApps: (db, pageIds) => appsOfPages.run(db, { pageIds: JSON.stringify(pageIds) }),
  mayDeliver(db, outbox, routes) {
    // A set-based batch has its pages' apps already (read ahead): answered without a promise.
    const known = routes?.get(outbox.pageId);
    if (known !== undefined) return routeTo(known, outbox).length > 0;
    return pageApps(db, outbox.pageId, routes).then((apps) => routeTo(apps, outbox).length > 0);
  },
  persona: findPersona,
  // One writer: the write transaction already serialises claims.
  lockOutboxApp: (db, appId) => activeApp(db, appId).executeTakeFirst(),
};

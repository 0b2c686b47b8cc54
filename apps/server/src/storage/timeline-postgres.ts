/**
 * The timeline store on PostgreSQL (timeline-store.ts): a message with its event and outbox
 * rows is one statement (one round trip instead of five), its writes data-modifying CTEs of
 * which none reads what another writes. The event's cursor comes from bumping the customer's
 * counter, which takes the customer row lock that orders events per customer until commit;
 * the outbox routing is one INSERT … SELECT over the page's apps.
 */
import { sql, type Kysely } from 'kysely';
import { prepare, type ParamFn } from './prepared.js';
import { commitAfterNext } from './pipelined-commit.js';
import type { Database } from './schema.js';
import {
  activeApp,
  findPersona,
  insertMessage,
  messageValues,
  preparedSql,
  touchConversation,
  touchConversationByCustomer,
} from './timeline-statements.js';
import { forgetApps, mayDeliver, readApps } from './timeline-routes-postgres.js';
import { batchOutcomes, timelineSets, type TimelineSets } from './timeline-sets.js';
import type {
  AppendCommand,
  AppendOutcome,
  EventRecord,
  MessageRecord,
  OutboxRecord,
  TimelineStore,
} from './timeline-store.js';

/**
 * The customer's next event as two CTEs: `next` bumps the counter and `event` inserts the row
 * and returns its `seq`. A missing counter row (erased customer) fails the NOT NULL of `seq`,
 * as the missing row fails the SQLite form.
 */
function withCustomerEvent(db: Kysely<Database>, p: ParamFn<EventRecord>) {
  return db
    .with('next', (qc) =>
      qc
        .updateTable('customers')
        .set((eb) => ({ event_seq: eb('event_seq', '+', 1) }))
        .where('id', '=', p('customerId'))
        .returning('event_seq'),
    )
    .with('event', (qc) =>
      qc
        .insertInto('customer_events')
        .values((eb) => ({
          customer_id: p('customerId'),
          seq: eb.selectFrom('next').select('event_seq'),
          conversation_id: p('conversationId'),
          type: p('type'),
          ref: p('ref'),
          data: p('data'),
          created_at: p('now'),
        }))
        .returning('seq'),
    );
}

/**
 * The routing rule as one INSERT … SELECT: every app of the page with a callback URL, only
 * the target app when there is one, `standby` when another app owns the thread, and only if
 * the app subscribes to the field. Returns `app_id` per row.
 */
function insertOutboxRows(db: Kysely<Database>, p: ParamFn<OutboxRecord>) {
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

const appendEvent = prepare<EventRecord>()((db, p) => withCustomerEvent(db, p).selectFrom('event').select('seq'));
const appendOutbox = prepare<OutboxRecord>()((db, p) => insertOutboxRows(db, p));

// A message, its event and (or not) its outbox rows, opening the window or not: one statement.
type StoreParams = MessageRecord & EventRecord;
type RecordParams = StoreParams & OutboxRecord;
const storeWrites = (db: Kysely<Database>, p: ParamFn<StoreParams>, opensWindow: boolean) =>
  withCustomerEvent(db, p)
    .with('stored', (qc) => qc.insertInto('messages').values(messageValues(p)))
    .with('touched', (qc) =>
      qc
        .updateTable('conversations')
        .set(
          opensWindow
            ? { last_message_at: p('now'), last_customer_message_at: p('now') }
            : { last_message_at: p('now') },
        )
        .where('id', '=', p('conversationId')),
    );
const storeStatement = (opensWindow: boolean) =>
  prepare<StoreParams>()((db, p) =>
    storeWrites(db, p, opensWindow)
      .selectFrom('event')
      .select(['seq', sql<string[] | null>`null`.as('apps')]),
  );
const recordStatement = (opensWindow: boolean) =>
  prepare<RecordParams>()((db, p) =>
    storeWrites(db, p, opensWindow)
      .with('hooks', () => insertOutboxRows(db, p))
      .selectFrom('event')
      .select(['seq', sql<string[] | null>`(select array_agg(app_id) from hooks)`.as('apps')]),
  );
const STORE = { opening: storeStatement(true), closed: storeStatement(false) };
const RECORD = { opening: recordStatement(true), closed: recordStatement(false) };

async function appendOne(db: Kysely<Database>, command: AppendCommand): Promise<AppendOutcome> {
  const { message, event, outbox } = command;
  if (message !== undefined && event !== undefined && message.row.now === event.now) {
    // The message's columns and the event's share `conversationId` and `now`.
    const kind = message.opensWindow ? 'opening' : 'closed';
    const params = { ...message.row, ...event };
    const result =
      outbox === undefined
        ? await STORE[kind].takeFirstOrThrow(db, params)
        : await RECORD[kind].takeFirstOrThrow(db, { ...params, ...outbox, now: message.row.now });
    return { seq: result.seq, apps: result.apps ?? [] };
  }
  if (message !== undefined) {
    await insertMessage.run(db, message.row);
    const touch = message.opensWindow ? touchConversationByCustomer : touchConversation;
    await touch.run(db, { id: message.row.conversationId, now: message.row.now });
  }
  const seq = event === undefined ? null : (await appendEvent.takeFirstOrThrow(db, event)).seq;
  const apps = outbox === undefined ? [] : (await appendOutbox.rows(db, outbox)).map((r) => r.app_id);
  return { seq, apps };
}

// The set-based writes: every row set arrives as arrays, one per column, read back with unnest.
type Columns = Record<string, unknown[]>;
const col = (p: ParamFn<Columns>, name: string, type: 'text' | 'bigint' | 'int') => sql`${p(name)}::${sql.raw(type)}[]`;

/**
 * The whole batch in one statement (one round trip, whatever its size) of data-modifying CTEs:
 * the customers' counters bumped once each by their number of events (`bumped`, in id order),
 * each event's cursor computed from its customer's bumped counter (the counter minus the
 * customer's count plus the event's rank: the order an append-by-append write would give),
 * messages, conversations and the routed outbox rows. No CTE reads what another writes, only
 * what `bumped` returns. An event of a customer without a counter row (an erased customer)
 * gets no cursor and fails the NOT NULL of `seq`: the batch is then written again append by
 * append (write-queue.ts). Returns each bumped counter (`k` = 'c') and each routed app (`k` = 'o').
 */
const writeSets = preparedSql<Columns, { k: 'c' | 'o'; i: number | null; id: string; seq: number | null }>(
  (p) => sql`with bumped as (
      update customers c set event_seq = c.event_seq + u.n
      from unnest(${col(p, 'ccust', 'text')}, ${col(p, 'ccount', 'bigint')}) as u(id, n)
      where c.id = u.id returning c.id, c.event_seq
    ), stored as (
      insert into messages (mid, conversation_id, direction, body, created_at, app_id, persona_id, messaging_type,
        tag, notification_category, awaits_answer)
      select * from unnest(${col(p, 'mid', 'text')}, ${col(p, 'mconv', 'text')}, ${col(p, 'dir', 'text')},
        ${col(p, 'body', 'text')}, ${col(p, 'mnow', 'bigint')}, ${col(p, 'app', 'text')}, ${col(p, 'persona', 'text')},
        ${col(p, 'mtype', 'text')}, ${col(p, 'tag', 'text')}, ${col(p, 'category', 'text')}, ${col(p, 'awaits', 'int')})
    ), touched as (
      update conversations c set last_message_at = t.now,
        last_customer_message_at = coalesce(t.customer_now, c.last_customer_message_at)
      from unnest(${col(p, 'tid', 'text')}, ${col(p, 'tnow', 'bigint')}, ${col(p, 'tcnow', 'bigint')})
        as t(id, now, customer_now)
      where c.id = t.id
    ), events as (
      insert into customer_events (customer_id, seq, conversation_id, type, ref, data, created_at)
      select e.customer_id, b.event_seq - e.total + e.rank, e.conversation_id, e.type, e.ref, e.data, e.now
      from unnest(${col(p, 'ecust', 'text')}, ${col(p, 'erank', 'bigint')}, ${col(p, 'etotal', 'bigint')},
          ${col(p, 'econv', 'text')}, ${col(p, 'etype', 'text')}, ${col(p, 'eref', 'text')}, ${col(p, 'edata', 'text')},
          ${col(p, 'enow', 'bigint')}) with ordinality
          as e(customer_id, rank, total, conversation_id, type, ref, data, now, i)
        left join bumped b on b.id = e.customer_id
      order by e.i
    ), routed as (
      select o.i, a.id as app_id, o.page_id, o.conversation_id, f.field, o.payload, o.now
      from unnest(${col(p, 'opage', 'text')}, ${col(p, 'oconv', 'text')}, ${col(p, 'ofield', 'text')},
          ${col(p, 'otarget', 'text')}, ${col(p, 'oowner', 'text')}, ${col(p, 'opayload', 'text')},
          ${col(p, 'onow', 'bigint')}) with ordinality as o(page_id, conversation_id, field, target, owner, payload, now, i)
        join apps a on a.page_id = o.page_id
        cross join lateral (select case when o.target is null and o.owner is not null and a.id <> o.owner
          then 'standby' else o.field end as field) f
      where a.webhook_url is not null and (o.target is null or a.id = o.target)
        and cast(a.subscribed_fields as jsonb) @> jsonb_build_array(f.field)
    ), hooks as (
      insert into webhook_outbox (app_id, page_id, conversation_id, field, payload, created_at, next_attempt_at)
      select app_id, page_id, conversation_id, field, payload, now, now from routed order by i
    )
    select 'c' as k, null::bigint as i, id, event_seq as seq from bumped
    union all
    select 'o', i, app_id, null from routed
    order by k, i`,
);

/** The batch's row sets as the columns `writeSets` takes. */
function columns(sets: TimelineSets): Columns {
  const { messages: m, touches: t, counters: c, events: e, outbox: o } = sets;
  const totals = new Map(c.map((r) => [r.customerId, r.count]));
  return {
    ccust: c.map((r) => r.customerId),
    ccount: c.map((r) => r.count),
    mid: m.map((r) => r.mid),
    mconv: m.map((r) => r.conversationId),
    dir: m.map((r) => r.direction),
    body: m.map((r) => r.body),
    mnow: m.map((r) => r.now),
    app: m.map((r) => r.appId),
    persona: m.map((r) => r.personaId),
    mtype: m.map((r) => r.messagingType),
    tag: m.map((r) => r.tag),
    category: m.map((r) => r.notificationCategory),
    awaits: m.map((r) => r.awaitsAnswer),
    tid: t.map((r) => r.id),
    tnow: t.map((r) => r.now),
    tcnow: t.map((r) => r.customerNow),
    ecust: e.map((r) => r.event.customerId),
    erank: e.map((r) => r.rank),
    etotal: e.map((r) => totals.get(r.event.customerId)),
    econv: e.map((r) => r.event.conversationId),
    etype: e.map((r) => r.event.type),
    eref: e.map((r) => r.event.ref),
    edata: e.map((r) => r.event.data),
    enow: e.map((r) => r.event.now),
    opage: o.map((r) => r.outbox.pageId),
    oconv: o.map((r) => r.outbox.conversationId),
    ofield: o.map((r) => r.outbox.field),
    otarget: o.map((r) => r.outbox.targetAppId),
    oowner: o.map((r) => r.outbox.threadOwnerAppId),
    opayload: o.map((r) => r.outbox.payload),
    onow: o.map((r) => r.outbox.now),
  };
}

/** `appendBatch`: one round trip for the whole batch, whatever its size. */
async function appendSet(
  db: Kysely<Database>,
  batch: readonly AppendCommand[],
  commitFollows: boolean,
): Promise<AppendOutcome[]> {
  const sets = timelineSets(batch);
  const parameters = columns(sets);
  if (commitFollows) await commitAfterNext(db);
  const rows = await writeSets.rows(db, parameters);
  const counters = new Map<string, number>();
  for (const row of rows) if (row.k === 'c') counters.set(row.id, Number(row.seq));
  const outcomes = batchOutcomes(batch.length, sets, counters);
  for (const row of rows) {
    if (row.k !== 'o') continue;
    const index = sets.outbox[Number(row.i) - 1]?.index;
    if (index !== undefined) outcomes[index]?.apps.push(row.id);
  }
  return outcomes;
}

export const postgresTimelineStore: TimelineStore = {
  async append(db, batch) {
    const outcomes: AppendOutcome[] = [];
    for (const command of batch) outcomes.push(await appendOne(db, command));
    return outcomes;
  },
  async appendBatch(db, batch, _routes, options) {
    try {
      return {
        outcomes: Promise.resolve(
          await (batch.length === 1
            ? postgresTimelineStore.append(db, batch)
            : appendSet(db, batch, options?.commitFollows === true)),
        ),
      };
    } catch (err) {
      // Perhaps an event left unsealed on apps kept from an earlier read (timeline-routes-postgres.ts):
      // the rerun and the transactions after it read the apps afresh.
      forgetApps(db);
      throw err;
    }
  },
  // Routing is part of the statements; the routes read ahead only spare sealing what no app gets.
  readApps,
  mayDeliver,
  routesOnWrite: true,
  persona: findPersona,
  // Claims are serialised per app by its row lock; a worker skips an app another one is claiming.
  lockOutboxApp: (db, appId) => activeApp(db, appId).forUpdate().skipLocked().executeTakeFirst(),
};

/**
 * The timeline store on PostgreSQL (timeline-store.ts): a message with its event and outbox
 * rows is one statement (one round trip instead of five), its writes data-modifying CTEs of
 * which none reads what another writes. The event's cursor comes from bumping the customer's
 * counter, which takes the customer row lock that orders events per customer until commit;
 * the outbox routing is one INSERT … SELECT over the page's apps.
 */
import { sql, type Kysely } from 'kysely';
import { prepare, type ParamFn } from './prepared.js';
import type { Database } from './schema.js';
import {
  activeApp,
  findPersona,
  insertMessage,
  messageValues,
  touchConversation,
  touchConversationByCustomer,
} from './timeline-statements.js';
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

export const postgresTimelineStore: TimelineStore = {
  async append(db, batch) {
    const outcomes: AppendOutcome[] = [];
    for (const command of batch) outcomes.push(await appendOne(db, command));
    return outcomes;
  },
  // Routing is part of the set-based insert: asking first would cost a round trip per event.
  mayDeliver: async () => true,
  persona: findPersona,
  // Claims are serialised per app by its row lock; a worker skips an app another one is claiming.
  lockOutboxApp: (db, appId) => activeApp(db, appId).forUpdate().skipLocked().executeTakeFirst(),
};

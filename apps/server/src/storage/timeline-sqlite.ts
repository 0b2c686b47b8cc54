/**
 * The timeline store on SQLite (timeline-store.ts): plain statements in order, each one a
 * prepared statement without a round trip (one writer, in process). The event's cursor is
 * the customer's counter bumped first; the outbox routing reads the page's apps and writes
 * one row per app that should see the event.
 */
import type { Kysely } from 'kysely';
import { prepare } from './prepared.js';
import type { Database } from './schema.js';
import {
  activeApp,
  findPersona,
  insertMessage,
  touchConversation,
  touchConversationByCustomer,
  type OutboxRowParams,
} from './timeline-statements.js';
import type { AppendCommand, AppendOutcome, EventRecord, OutboxRecord, TimelineStore } from './timeline-store.js';

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
async function appendOutbox(db: Kysely<Database>, outbox: OutboxRecord): Promise<string[]> {
  const apps: string[] = [];
  for (const { appId, field } of await routeOutbox(db, outbox)) {
    const { pageId, conversationId, payload, now } = outbox;
    await insertOutbox.run(db, { appId, pageId, conversationId, field, payload, now });
    apps.push(appId);
  }
  return apps;
}

type OutboxRoute = Pick<OutboxRecord, 'pageId' | 'field' | 'targetAppId' | 'threadOwnerAppId'>;

/** Which apps get the event, under which field (its own, or `standby` for an app not holding the thread). */
async function routeOutbox(
  db: Kysely<Database>,
  outbox: OutboxRoute,
): Promise<Array<{ appId: string; field: string }>> {
  const routes: Array<{ appId: string; field: string }> = [];
  for (const app of await appsOfPage.rows(db, { pageId: outbox.pageId })) {
    if (app.webhook_url === null) continue;
    if (outbox.targetAppId !== null && outbox.targetAppId !== app.id) continue;
    const standby =
      outbox.targetAppId === null && outbox.threadOwnerAppId !== null && outbox.threadOwnerAppId !== app.id;
    const field = standby ? 'standby' : outbox.field;
    if ((JSON.parse(app.subscribed_fields) as string[]).includes(field)) routes.push({ appId: app.id, field });
  }
  return routes;
}

async function appendOne(db: Kysely<Database>, command: AppendCommand): Promise<AppendOutcome> {
  const { message, event, outbox } = command;
  if (message !== undefined) {
    await insertMessage.run(db, message.row);
    const touch = message.opensWindow ? touchConversationByCustomer : touchConversation;
    await touch.run(db, { id: message.row.conversationId, now: message.row.now });
  }
  const seq = event === undefined ? null : await appendEvent(db, event);
  const apps = outbox === undefined ? [] : await appendOutbox(db, outbox);
  return { seq, apps };
}

export const sqliteTimelineStore: TimelineStore = {
  async append(db, batch) {
    const outcomes: AppendOutcome[] = [];
    for (const command of batch) outcomes.push(await appendOne(db, command));
    return outcomes;
  },
  // Routing here is a cheap prepared read: an event nobody gets is neither sealed nor written.
  mayDeliver: async (db, outbox) => (await routeOutbox(db, outbox)).length > 0,
  persona: findPersona,
  // One writer: the write transaction already serialises claims.
  lockOutboxApp: (db, appId) => activeApp(db, appId).executeTakeFirst(),
};

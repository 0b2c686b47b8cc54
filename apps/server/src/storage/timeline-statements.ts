/**
 * The statements both timeline stores share (timeline-sqlite.ts, timeline-postgres.ts),
 * written once with the typed builder and prepared once per dialect (prepared.ts).
 */
import type { Kysely, RawBuilder } from 'kysely';
import { prepare, type ParamFn } from './prepared.js';
import type { Database } from './schema.js';
import type { MessageRecord, OutboxRecord, PersonaRecord } from './timeline-store.js';

export const messageValues = (p: ParamFn<MessageRecord>) => ({
  mid: p('mid'),
  conversation_id: p('conversationId'),
  direction: p('direction'),
  body: p('body'),
  created_at: p('now'),
  app_id: p('appId'),
  persona_id: p('personaId'),
  messaging_type: p('messagingType'),
  tag: p('tag'),
  notification_category: p('notificationCategory'),
  awaits_answer: p('awaitsAnswer'),
});

export const insertMessage = prepare<MessageRecord>()((db, p) => db.insertInto('messages').values(messageValues(p)));

export const touchConversation = prepare<{ id: string; now: number }>()((db, p) =>
  db
    .updateTable('conversations')
    .set({ last_message_at: p('now') })
    .where('id', '=', p('id')),
);

/** A customer's own message also opens the business's 24-hour window. */
export const touchConversationByCustomer = prepare<{ id: string; now: number }>()((db, p) =>
  db
    .updateTable('conversations')
    .set({ last_message_at: p('now'), last_customer_message_at: p('now') })
    .where('id', '=', p('id')),
);

const personaById = prepare<{ id: string }>()((db, p) =>
  db.selectFrom('personas').select(['id', 'name', 'profile_picture_url']).where('id', '=', p('id')),
);

export const findPersona = (
  db: Parameters<typeof personaById.takeFirst>[0],
  id: string,
): Promise<PersonaRecord | undefined> => personaById.takeFirst(db, { id });

/** An active app of the outbox's delivery side (timeline-store.ts `lockOutboxApp`), without a lock. */
export const activeApp = (db: Kysely<Database>, appId: string) =>
  db
    .selectFrom('apps')
    .select(['id', 'page_id', 'webhook_url', 'secret_enc', 'std_webhook_secret_enc'])
    .where('id', '=', appId)
    .where('webhook_status', '=', 'active');

/** The outbox's columns of a routed event (one row per app). */
export type OutboxRowParams = Pick<OutboxRecord, 'pageId' | 'conversationId' | 'field' | 'now'> & {
  appId: string;
  payload: string;
};

/**
 * A prepared statement written as SQL text (the set-based writes, whose row sets arrive as one
 * JSON or array parameter each): `${p('name')}` marks where a parameter goes.
 */
export const preparedSql = <P extends Record<string, unknown>, O = unknown>(build: (p: ParamFn<P>) => RawBuilder<O>) =>
  prepare<P>()((db, p) => ({ compile: () => build(p).compile(db) }));

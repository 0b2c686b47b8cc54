/**
 * Records one message in a conversation, inside a write transaction: the message row,
 * the customer's stream event and the webhook event for the business, all committed
 * together. Used by the customer API (direction `in`) and the Send API (direction `out`).
 */
import { PAGE_INBOX_APP_ID, type ChatMessage, type MessageBody } from '@confide/protocol';
import type { Bus } from '../../bus/bus.js';
import { newSortableId } from '../../crypto/tokens.js';
import { maskDeep } from '../../privacy/masking.js';
import { sql, type Kysely } from 'kysely';
import { dialectOf, prepare, type ParamFn } from '../../storage/prepared.js';
import type { Database } from '../../storage/schema.js';
import { presentPersona } from './message-personas.js';
import type { WriteTx } from '../../storage/write-queue.js';
import {
  announceEvent,
  appendCustomerEvent,
  eventParams,
  withCustomerEvent,
  type EventParams,
} from '../realtime/event-log.js';
import {
  announceWebhooks,
  enqueueWebhook,
  insertOutboxRows,
  outboxParams,
  type EnqueueWebhookInput,
  type MessagingItem,
  type OutboxParams,
} from '../webhooks/outbox.js';
import type { ConversationRow } from './store.js';
import { schedulePush } from '../push/schedule.js';
import { scheduleSms } from '../sms/schedule.js';

/** `messages.messaging_type` of a hub-written system line (`system: true` on the wire): "Ada joined". */
export const SYSTEM_LINE_TYPE = 'CONFIDE_SYSTEM';

export interface RecordMessageInput {
  conversation: ConversationRow;
  direction: 'in' | 'out';
  body: MessageBody;
  now: number;
  /** For business messages: the sending app, persona and send metadata. */
  appId?: string | null;
  personaId?: string | null;
  messagingType?: string | null;
  tag?: string | null;
  /** A proactive update's consent category. */
  notificationCategory?: string | null;
  /** A proactive update asking a question with postback buttons (answers.ts). */
  awaitsAnswer?: boolean;
  /** What the business's webhook carries when it differs from the stored body (a customer's file: its URL for the page). */
  webhookBody?: MessageBody;
}

export async function recordMessage(tx: WriteTx, bus: Bus, input: RecordMessageInput): Promise<ChatMessage> {
  const { conversation: conv, direction, now } = input;
  // Card numbers are masked before anything is stored, streamed or sent on (privacy/masking.ts).
  const body = maskDeep(input.body);
  const mid = newSortableId('m');
  const webhook =
    direction === 'in' ? customerItem(mid, input.webhookBody ?? body) : echoItem(mid, body, input.appId ?? null);
  const event: EnqueueWebhookInput = {
    pageId: conv.page_id,
    conversationId: conv.id,
    customerId: conv.customer_id,
    psid: conv.psid,
    field: webhook.field,
    item: webhook.item,
    threadOwnerAppId: conv.thread_owner_app_id,
    fromPage: direction === 'out',
    timestamp: now,
  };
  // A customer's message opens the business's 24-hour window.
  const store: StoreMessageInput & { mid: string } = { ...input, body, mid, opensWindow: direction === 'in' };
  let message: ChatMessage;
  if (dialectOf(tx.db) === 'postgres') {
    message = await writeMessagePg(tx, bus, store, event);
  } else {
    message = await storeMessage(tx, bus, store);
    await enqueueWebhook(tx, bus, event);
  }
  // A consented proactive update also reaches the customer's devices (features/push).
  if (direction === 'out' && input.notificationCategory) {
    const step = {
      customerId: conv.customer_id,
      conversationId: conv.id,
      pageId: conv.page_id,
      mid,
      category: input.notificationCategory,
      now,
    };
    await schedulePush(tx, step);
    // A fraud alert still unanswered later is texted (features/sms).
    await scheduleSms(tx, { ...step, awaitsAnswer: input.awaitsAnswer ?? false });
  }
  // Agents of the page inbox follow its conversations live (features/inbox).
  if (conv.thread_owner_app_id === PAGE_INBOX_APP_ID) {
    const pageId = conv.page_id;
    tx.afterCommit(() =>
      bus.publish({ name: 'inbox.changed', pageId, conversationId: conv.id, change: 'message', mid: message.mid }),
    );
  }
  return message;
}

export interface StoreMessageInput {
  conversation: { id: string; customer_id: string };
  direction: 'in' | 'out';
  body: MessageBody;
  now: number;
  /** Whether the message opens the business's 24-hour window (a customer's own message). */
  opensWindow: boolean;
  appId?: string | null;
  personaId?: string | null;
  messagingType?: string | null;
  tag?: string | null;
  /** A proactive update's consent category. */
  notificationCategory?: string | null;
  /** A proactive update asking a question with postback buttons (answers.ts). */
  awaitsAnswer?: boolean;
}

/**
 * The part every message shares: the sealed row, the conversation's timestamps and the
 * customer's stream event. `recordMessage` adds the webhook; hub-authored messages
 * (features/consent/hub-message.ts) stop here.
 */
export async function storeMessage(
  tx: WriteTx,
  bus: Bus,
  input: StoreMessageInput & { mid?: string },
): Promise<ChatMessage> {
  if (dialectOf(tx.db) === 'postgres')
    return writeMessagePg(tx, bus, { ...input, mid: input.mid ?? newSortableId('m') }, null);
  const { conversation: conv, now } = input;
  const mid = input.mid ?? newSortableId('m');
  await insertMessage.run(tx.db, await messageParams(tx, { ...input, mid }));
  await (input.opensWindow ? touchConversationByCustomer : touchConversation).run(tx.db, { id: conv.id, now });
  const persona = await loadPersona(tx, input.personaId);
  const message = chatMessage({ ...input, mid }, persona);
  await appendCustomerEvent(tx, bus, conv.customer_id, { type: 'message', message }, now);
  return message;
}

/**
 * PostgreSQL: everything `storeMessage` writes, plus the webhook rows when `hook` is given, in
 * one statement (one round trip instead of five): the event's CTEs (realtime/event-log.ts), the
 * message row, the conversation's timestamps and the outbox rows (webhooks/outbox.ts).
 */
async function writeMessagePg(
  tx: WriteTx,
  bus: Bus,
  input: StoreMessageInput & { mid: string },
  hook: EnqueueWebhookInput | null,
): Promise<ChatMessage> {
  const { conversation: conv, now } = input;
  const persona = await loadPersona(tx, input.personaId);
  const message = chatMessage(input, persona);
  const frame = { type: 'message', message } as const;
  const row = await messageParams(tx, input);
  const event = eventParams(conv.customer_id, frame, now);
  const result =
    hook === null
      ? await (input.opensWindow ? storeOpening : storeClosed).takeFirstOrThrow(tx.db, { ...row, ...event })
      : await (input.opensWindow ? recordOpening : recordClosed).takeFirstOrThrow(tx.db, {
          ...row,
          ...event,
          ...(await outboxParams(tx, hook)),
        });
  announceEvent(tx, bus, conv.customer_id, frame, result.seq);
  if (result.apps !== null) announceWebhooks(tx, bus, result.apps);
  return message;
}

async function messageParams(tx: WriteTx, input: StoreMessageInput & { mid: string }): Promise<MessageParams> {
  const { conversation: conv } = input;
  return {
    mid: input.mid,
    conversationId: conv.id,
    direction: input.direction,
    body: await tx.vault.sealMessage(conv.customer_id, conv.id, input.body),
    now: input.now,
    appId: input.appId ?? null,
    personaId: input.personaId ?? null,
    messagingType: input.messagingType ?? null,
    tag: input.tag ?? null,
    notificationCategory: input.notificationCategory ?? null,
    awaitsAnswer: input.awaitsAnswer ? 1 : 0,
  };
}

/** The stream's view of a message just stored. */
function chatMessage(input: StoreMessageInput & { mid: string }, persona: ChatMessage['persona']): ChatMessage {
  const message: ChatMessage = {
    mid: input.mid,
    conversation_id: input.conversation.id,
    direction: input.direction,
    created_at: input.now,
    body: input.body,
    tag: input.tag ?? null,
    persona,
  };
  if (input.notificationCategory) message.notification_category = input.notificationCategory;
  if (input.awaitsAnswer) message.awaits_answer = true;
  if (input.messagingType === SYSTEM_LINE_TYPE) message.system = true;
  return message;
}

/** A reply under a persona (human agent) carries its name and picture to the customer's stream. */
async function loadPersona(tx: WriteTx, personaId: string | null | undefined): Promise<ChatMessage['persona']> {
  const row = personaId ? await personaById.takeFirst(tx.db, { id: personaId }) : undefined;
  return row === undefined ? null : presentPersona(row);
}

// The statements every stored message runs, prepared once (storage/prepared.ts).
type MessageParams = {
  mid: string;
  conversationId: string;
  direction: 'in' | 'out';
  body: string;
  now: number;
  appId: string | null;
  personaId: string | null;
  messagingType: string | null;
  tag: string | null;
  notificationCategory: string | null;
  awaitsAnswer: number;
};
const messageValues = (p: ParamFn<MessageParams>) => ({
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
const insertMessage = prepare<MessageParams>()((db, p) => db.insertInto('messages').values(messageValues(p)));
const personaById = prepare<{ id: string }>()((db, p) =>
  db.selectFrom('personas').select(['id', 'name', 'profile_picture_url']).where('id', '=', p('id')),
);
const touchConversation = prepare<{ id: string; now: number }>()((db, p) =>
  db
    .updateTable('conversations')
    .set({ last_message_at: p('now') })
    .where('id', '=', p('id')),
);
const touchConversationByCustomer = prepare<{ id: string; now: number }>()((db, p) =>
  db
    .updateTable('conversations')
    .set({ last_message_at: p('now'), last_customer_message_at: p('now') })
    .where('id', '=', p('id')),
);

// PostgreSQL: the one statement of writeMessagePg, with and without outbox rows, opening the
// window or not. The writes are CTEs of one statement: none reads what another writes.
type StoreParams = MessageParams & EventParams;
type RecordParams = StoreParams & OutboxParams;
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
const storeOpening = storeStatement(true);
const storeClosed = storeStatement(false);
const recordOpening = recordStatement(true);
const recordClosed = recordStatement(false);

/** The webhook event for what the customer sent: a message, a quick-reply answer or a postback. */
function customerItem(mid: string, body: MessageBody): { field: string; item: MessagingItem } {
  if (body.postback !== undefined) {
    const postback: Record<string, unknown> = { mid, title: body.postback.title, payload: body.postback.payload };
    if (body.surface !== undefined) postback['surface'] = body.surface;
    return { field: 'messaging_postbacks', item: { postback } };
  }
  const message: Record<string, unknown> = { mid };
  if (body.text !== undefined) message['text'] = body.text;
  if (body.quick_reply !== undefined) message['quick_reply'] = body.quick_reply;
  if (body.attachments !== undefined) message['attachments'] = body.attachments;
  if (body.reply_to !== undefined) message['reply_to'] = body.reply_to;
  if (body.surface !== undefined) message['surface'] = body.surface;
  return { field: 'messages', item: { message } };
}

/** The `message_echoes` event for what the business sent. */
function echoItem(mid: string, body: MessageBody, appId: string | null): { field: string; item: MessagingItem } {
  const message: Record<string, unknown> = { is_echo: true, app_id: appId === null ? null : Number(appId), mid };
  if (body.metadata !== undefined) message['metadata'] = body.metadata;
  if (body.text !== undefined) message['text'] = body.text;
  const attachments = body.attachments ?? (body.attachment === undefined ? undefined : [body.attachment]);
  if (attachments !== undefined) message['attachments'] = attachments;
  if (body.quick_replies !== undefined) message['quick_replies'] = body.quick_replies;
  return { field: 'message_echoes', item: { message } };
}

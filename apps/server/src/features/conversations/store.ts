/** Storage of conversations and messages. */
import type { Kysely } from 'kysely';
import { inList, listParam, prepare } from '../../storage/prepared.js';
import type { ConversationsTable, Database, MessagesTable } from '../../storage/schema.js';

export type ConversationRow = Omit<
  ConversationsTable,
  'customer_delivered_wm' | 'customer_read_wm' | 'page_delivered_wm' | 'page_read_wm'
> & {
  customer_delivered_wm: number;
  customer_read_wm: number;
  page_delivered_wm: number;
  page_read_wm: number;
};
export type MessageRow = Omit<MessagesTable, 'id'> & { id: number };

const CONVERSATION_COLUMNS = [
  'id',
  'customer_id',
  'page_id',
  'psid',
  'created_at',
  'last_message_at',
  'last_customer_message_at',
  'customer_delivered_wm',
  'customer_read_wm',
  'page_delivered_wm',
  'page_read_wm',
  'thread_owner_app_id',
] as const;

// Delivery receipts run it for every conversation a flush covers (storage/prepared.ts).
const conversationOfCustomer = prepare<{ customerId: string; conversationId: string }>()((db, p) =>
  db
    .selectFrom('conversations')
    .select(CONVERSATION_COLUMNS)
    .where('id', '=', p('conversationId'))
    .where('customer_id', '=', p('customerId')),
);

const conversationsByIds = prepare<{ ids: string | string[] }>()((db, p, dialect) =>
  db
    .selectFrom('conversations')
    .select(CONVERSATION_COLUMNS)
    .where(inList('id', p('ids'), 'text', dialect)),
);

/** The conversations of these ids that exist (one statement, whatever their number). */
export function findConversationsByIds(db: Kysely<Database>, ids: readonly string[]): Promise<ConversationRow[]> {
  return conversationsByIds.rows(db, { ids: listParam(db, ids) }) as Promise<ConversationRow[]>;
}

export function findConversationOfCustomer(
  db: Kysely<Database>,
  customerId: string,
  conversationId: string,
): Promise<ConversationRow | undefined> {
  return conversationOfCustomer.takeFirst(db, { customerId, conversationId }) as Promise<ConversationRow | undefined>;
}

export function findConversationByPair(
  db: Kysely<Database>,
  customerId: string,
  pageId: string,
): Promise<ConversationRow | undefined> {
  return db
    .selectFrom('conversations')
    .select(CONVERSATION_COLUMNS)
    .where('customer_id', '=', customerId)
    .where('page_id', '=', pageId)
    .executeTakeFirst();
}

const conversationByPsid = prepare<{ pageId: string; psid: string }>()((db, p) =>
  db
    .selectFrom('conversations')
    .select(CONVERSATION_COLUMNS)
    .where('psid', '=', p('psid'))
    .where('page_id', '=', p('pageId')),
);

/** The conversation a PSID designates, only within `pageId` (businesses never see other pages' PSIDs). */
export function findConversationByPsid(
  db: Kysely<Database>,
  pageId: string,
  psid: string,
): Promise<ConversationRow | undefined> {
  return conversationByPsid.takeFirst(db, { pageId, psid }) as Promise<ConversationRow | undefined>;
}

// The conversation and customer of many PSIDs of a page (a list parameter).
const conversationsByPsids = prepare<{ pageId: string; psids: string | string[] }>()((db, p, dialect) =>
  db
    .selectFrom('conversations')
    .select(['id', 'customer_id', 'psid'])
    .where('page_id', '=', p('pageId'))
    .where(inList('psid', p('psids'), 'text', dialect)),
);

/** The conversations several PSIDs of one page designate, in one statement (warming their keys). */
export async function findConversationsByPsids(
  db: Kysely<Database>,
  pageId: string,
  psids: readonly string[],
): Promise<Array<{ id: string; customer_id: string; psid: string }>> {
  return (await conversationsByPsids.rows(db, { pageId, psids: listParam(db, psids) })) as Array<{
    id: string;
    customer_id: string;
    psid: string;
  }>;
}

/** A Send API recipient: the conversation, whether it is blocked, and the page's Primary Receiver, in one query. */
export type RecipientRow = ConversationRow & { blocked_reason: string | null; primary_app_id: string | null };

/** A conversation with what the Send API checks: its block, if any, and the page's primary app. */
function selectRecipients(db: Kysely<Database>) {
  return db
    .selectFrom('conversations as c')
    .select(CONVERSATION_COLUMNS.map((column) => `c.${column}` as const))
    .select((eb) => [
      eb
        .selectFrom('conversation_blocks as b')
        .select('b.reason')
        .whereRef('b.conversation_id', '=', 'c.id')
        .limit(1)
        .as('blocked_reason'),
      eb
        .selectFrom('apps as a')
        .select('a.id')
        .whereRef('a.page_id', '=', 'c.page_id')
        .orderBy('a.created_at')
        .orderBy('a.id')
        .limit(1)
        .as('primary_app_id'),
    ]);
}

const recipientByPsid = prepare<{ pageId: string; psid: string }>()((db, p) =>
  selectRecipients(db).where('c.psid', '=', p('psid')).where('c.page_id', '=', p('pageId')),
);

export function findRecipientByPsid(
  db: Kysely<Database>,
  pageId: string,
  psid: string,
): Promise<RecipientRow | undefined> {
  return recipientByPsid.takeFirst(db, { pageId, psid }) as Promise<RecipientRow | undefined>;
}

// The same rows for many PSIDs of some pages (list parameters).
const recipientsByPsids = prepare<{ pageIds: string | string[]; psids: string | string[] }>()((db, p, dialect) =>
  selectRecipients(db)
    .where(inList('c.psid', p('psids'), 'text', dialect))
    .where(inList('c.page_id', p('pageIds'), 'text', dialect)),
);

/**
 * Recipients of several PSIDs in one statement (the Send API's read-ahead): the rows of these
 * PSIDs in any of these pages. A PSID designates its conversation only within its own page:
 * the caller matches each row to its key by both (a row of another page is no recipient).
 */
export async function findRecipientsByPsids(
  db: Kysely<Database>,
  pageIds: string[],
  psids: string[],
): Promise<RecipientRow[]> {
  return (await recipientsByPsids.rows(db, {
    pageIds: listParam(db, pageIds),
    psids: listParam(db, psids),
  })) as RecipientRow[];
}

export function listConversationsOfCustomer(db: Kysely<Database>, customerId: string) {
  return db
    .selectFrom('conversations as c')
    .innerJoin('pages as p', 'p.id', 'c.page_id')
    .select([
      'c.id',
      'c.created_at',
      'c.last_message_at',
      'c.customer_read_wm',
      'c.page_delivered_wm',
      'c.page_read_wm',
      'p.id as page_id',
      'p.name',
      'p.category',
      'p.description',
      'p.privacy_policy_url',
      'p.picture_version',
    ])
    .where('c.customer_id', '=', customerId)
    .orderBy('c.last_message_at', 'desc')
    .execute();
}

/** Last message of each conversation in `ids`. */
export async function lastMessages(db: Kysely<Database>, ids: string[]): Promise<MessageRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('messages')
    .selectAll()
    .where(
      'id',
      'in',
      db
        .selectFrom('messages')
        .select((eb) => eb.fn.max('id').as('id'))
        .where('conversation_id', 'in', ids)
        .groupBy('conversation_id'),
    )
    .execute();
}

/** Business messages newer than the customer's read watermark, per conversation. */
export async function unreadCounts(db: Kysely<Database>, customerId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('messages as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .select(['m.conversation_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('c.customer_id', '=', customerId)
    .where('m.direction', '=', 'out')
    .whereRef('m.created_at', '>', 'c.customer_read_wm')
    .groupBy('m.conversation_id')
    .execute();
  return new Map(rows.map((r) => [r.conversation_id, Number(r.n)]));
}

/** A page of messages, newest first, older than message id `before`. */
export function pageOfMessages(
  db: Kysely<Database>,
  conversationId: string,
  before: number | undefined,
  limit: number,
): Promise<MessageRow[]> {
  let q = db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId);
  if (before !== undefined) q = q.where('id', '<', before);
  return q.orderBy('id', 'desc').limit(limit).execute();
}

export function findMessageInPage(db: Kysely<Database>, pageId: string, mid: string) {
  return db
    .selectFrom('messages as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .select(['m.mid', 'm.conversation_id', 'm.created_at', 'm.direction', 'c.psid', 'c.customer_id'])
    .where('m.mid', '=', mid)
    .where('c.page_id', '=', pageId)
    .executeTakeFirst();
}

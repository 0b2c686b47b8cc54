/**
 * Storage of the agent inbox. A conversation is in the queue while the page inbox app
 * controls its thread; `inbox_threads` adds when it was handed over, who took it and its
 * state, and keeps the row once resolved (the closed view, reopening).
 * Lookups are always scoped to the agent's page, so another page's conversation is unknown.
 */
import { PAGE_INBOX_APP_ID, type InboxStatus } from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';

/** A conversation of the inbox, with its queue state (internal: carries the customer id). */
export interface InboxConversationRow {
  id: string;
  page_id: string;
  psid: string;
  customer_id: string;
  first_name: string;
  last_message_at: number;
  last_customer_message_at: number | null;
  thread_owner_app_id: string | null;
  queued_at: number | null;
  agent_id: string | null;
  agent_name: string | null;
  status: InboxStatus;
  snoozed_until: number | null;
  resolved_at: number | null;
  handover_reason: string | null;
  case_ref: string | null;
  team_id: string | null;
  team_name: string | null;
}

function inboxConversations(db: Kysely<Database>, pageId: string) {
  return db
    .selectFrom('conversations as c')
    .innerJoin('customers as u', 'u.id', 'c.customer_id')
    .leftJoin('inbox_threads as t', 't.conversation_id', 'c.id')
    .leftJoin('agents as a', 'a.id', 't.agent_id')
    .leftJoin('inbox_teams as tm', 'tm.id', 't.team_id')
    .select([
      'c.id',
      'c.page_id',
      'c.psid',
      'c.customer_id',
      'u.username as first_name',
      'c.last_message_at',
      'c.last_customer_message_at',
      'c.thread_owner_app_id',
      't.queued_at',
      't.agent_id',
      'a.display_name as agent_name',
      't.status',
      't.snoozed_until',
      't.resolved_at',
      't.handover_reason',
      't.case_ref',
      't.team_id',
      'tm.name as team_name',
    ])
    .where('c.page_id', '=', pageId)
    .$narrowType<{ status: InboxStatus | null }>();
}

/** Rows the page inbox holds now: resolved ones only read through `findInboxConversation`. */
function normalise(row: Omit<InboxConversationRow, 'status'> & { status: InboxStatus | null }): InboxConversationRow {
  const held = row.thread_owner_app_id === PAGE_INBOX_APP_ID;
  const status: InboxStatus = !held
    ? 'resolved'
    : row.status === null || row.status === 'resolved'
      ? row.agent_id === null
        ? 'open'
        : 'assigned'
      : row.status;
  return { ...row, status };
}

/**
 * The conversation `conversationId` of `pageId` as the inbox knows it: held by the page inbox
 * now, or handed to it before (resolved). Undefined for an unknown id, another page's, or one
 * the inbox never had.
 */
export async function findInboxConversation(
  db: Kysely<Database>,
  pageId: string,
  conversationId: string,
): Promise<InboxConversationRow | undefined> {
  const row = await inboxConversations(db, pageId)
    .where('c.id', '=', conversationId)
    .where((eb) =>
      eb.or([eb('c.thread_owner_app_id', '=', PAGE_INBOX_APP_ID), eb('t.conversation_id', 'is not', null)]),
    )
    .executeTakeFirst();
  return row === undefined ? undefined : normalise(row);
}

/** Every conversation the page inbox holds now (snoozed ones included: the caller filters). */
export async function listInboxConversations(db: Kysely<Database>, pageId: string): Promise<InboxConversationRow[]> {
  const rows = await inboxConversations(db, pageId)
    .where('c.thread_owner_app_id', '=', PAGE_INBOX_APP_ID)
    .orderBy('c.last_message_at')
    .orderBy('c.id')
    .execute();
  return rows.map(normalise);
}

/** Resolved conversations of the page, newest resolve first, within [from, to). */
export async function listResolvedConversations(
  db: Kysely<Database>,
  pageId: string,
  range: { from: number | undefined; to: number | undefined; limit: number },
) {
  let q = db
    .selectFrom('inbox_threads as t')
    .innerJoin('conversations as c', 'c.id', 't.conversation_id')
    .innerJoin('customers as u', 'u.id', 'c.customer_id')
    .leftJoin('agents as a', 'a.id', 't.resolved_by')
    .select([
      'c.id',
      'c.psid',
      'c.customer_id',
      'u.username as first_name',
      't.resolved_at',
      't.resolved_by',
      'a.display_name as resolver_name',
    ])
    .where('t.page_id', '=', pageId)
    .where('t.status', '=', 'resolved')
    .where('t.resolved_at', 'is not', null);
  if (range.from !== undefined) q = q.where('t.resolved_at', '>=', range.from);
  if (range.to !== undefined) q = q.where('t.resolved_at', '<', range.to);
  return q.orderBy('t.resolved_at', 'desc').orderBy('c.id', 'desc').limit(range.limit).execute();
}

/**
 * Storage of the agent inbox. A conversation is in the inbox while the page inbox app
 * controls its thread; `inbox_threads` adds when it was handed over and who took it.
 * Lookups are always scoped to the agent's page, so another page's conversation is unknown.
 */
import { PAGE_INBOX_APP_ID } from '@confide/protocol';
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
  queued_at: number | null;
  agent_id: string | null;
  agent_name: string | null;
}

function inboxConversations(db: Kysely<Database>, pageId: string) {
  return db
    .selectFrom('conversations as c')
    .innerJoin('customers as u', 'u.id', 'c.customer_id')
    .leftJoin('inbox_threads as t', 't.conversation_id', 'c.id')
    .leftJoin('agents as a', 'a.id', 't.agent_id')
    .select([
      'c.id',
      'c.page_id',
      'c.psid',
      'c.customer_id',
      'u.username as first_name',
      'c.last_message_at',
      'c.last_customer_message_at',
      't.queued_at',
      't.agent_id',
      'a.display_name as agent_name',
    ])
    .where('c.page_id', '=', pageId)
    .where('c.thread_owner_app_id', '=', PAGE_INBOX_APP_ID);
}

/** The inbox conversation `conversationId` of `pageId`, or undefined (unknown, other page, not in the inbox). */
export function findInboxConversation(db: Kysely<Database>, pageId: string, conversationId: string): Promise<InboxConversationRow | undefined> {
  return inboxConversations(db, pageId).where('c.id', '=', conversationId).executeTakeFirst();
}

/** Every conversation of the page's inbox. */
export function listInboxConversations(db: Kysely<Database>, pageId: string): Promise<InboxConversationRow[]> {
  return inboxConversations(db, pageId).orderBy('c.last_message_at').orderBy('c.id').execute();
}

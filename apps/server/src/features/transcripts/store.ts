/** What a transcript reads: the conversation of a PSID, its messages in a range, their personas, its inbox thread. */
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';

export interface TranscriptConversation {
  id: string;
  customer_id: string;
  psid: string;
  page_id: string;
  page_name: string;
  created_at: number;
}

export function findTranscriptConversation(
  db: Kysely<Database>,
  pageId: string,
  psid: string,
): Promise<TranscriptConversation | undefined> {
  return db
    .selectFrom('conversations as c')
    .innerJoin('pages as p', 'p.id', 'c.page_id')
    .select(['c.id', 'c.customer_id', 'c.psid', 'c.page_id', 'p.name as page_name', 'c.created_at'])
    .where('c.page_id', '=', pageId)
    .where('c.psid', '=', psid)
    .executeTakeFirst();
}

/** The newest `limit` messages in [since, until), returned oldest first. */
export async function messagesInRange(
  db: Kysely<Database>,
  conversationId: string,
  range: { since: number | undefined; until: number | undefined; limit: number },
) {
  let q = db
    .selectFrom('messages')
    .select(['id', 'mid', 'direction', 'body', 'created_at', 'app_id', 'persona_id', 'messaging_type', 'tag'])
    .select(['notification_category', 'answered_button'])
    .where('conversation_id', '=', conversationId);
  if (range.since !== undefined) q = q.where('created_at', '>=', range.since);
  if (range.until !== undefined) q = q.where('created_at', '<', range.until);
  const rows = await q.orderBy('id', 'desc').limit(range.limit).execute();
  return rows.reverse();
}

export type TranscriptMessageRow = Awaited<ReturnType<typeof messagesInRange>>[number];

/** Persona names by id, for the messages that name one. */
export async function personaNames(db: Kysely<Database>, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('personas').select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** The conversation's place in the page inbox, with the agent's display name (not their username). */
export function inboxThreadOf(db: Kysely<Database>, conversationId: string) {
  return db
    .selectFrom('inbox_threads as t')
    .leftJoin('agents as a', 'a.id', 't.agent_id')
    .leftJoin('inbox_teams as tm', 'tm.id', 't.team_id')
    .select(['t.status', 't.queued_at', 't.assigned_at', 't.resolved_at', 't.handover_reason', 't.case_ref'])
    .select(['a.display_name as agent_name', 'tm.name as team_name'])
    .where('t.conversation_id', '=', conversationId)
    .executeTakeFirst();
}

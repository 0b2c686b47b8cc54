/**
 * The closed view: resolved conversations of the agent's page, newest first, filtered by the
 * day of the resolve and searched by the customer's first name, the PSID or the words of the
 * messages. Message content is sealed, so the search opens the newest messages of each
 * conversation through the vault, with purpose `agent_support` as this agent: every opening
 * is in the audit log (content.access), and nothing searched for is stored.
 */
import type { InboxClosedItem, InboxClosedList, InboxClosedQuery } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { ContentErasedError } from '../../privacy/purposes.js';
import { bodyText, fold, snippetAround } from '../conversations/search.js';
import { pageOfMessages } from '../conversations/store.js';
import type { Agent } from './agents.js';
import { listResolvedConversations } from './inbox-store.js';

/** Resolved conversations looked at per request (newest resolve first). */
export const CLOSED_SCAN_LIMIT = 100;
/** Newest messages searched per conversation. */
export const CLOSED_MESSAGES_PER_CONVERSATION = 200;
const DAY = 24 * 60 * 60 * 1000;

export async function searchClosed(ctx: HubContext, agent: Agent, query: InboxClosedQuery): Promise<InboxClosedList> {
  const rows = await listResolvedConversations(ctx.storage.db, agent.page_id, {
    from: query.from === undefined ? undefined : Date.parse(`${query.from}T00:00:00Z`),
    to: query.to === undefined ? undefined : Date.parse(`${query.to}T00:00:00Z`) + DAY,
    limit: CLOSED_SCAN_LIMIT,
  });
  const terms = fold(query.q ?? '')
    .split(/\s+/u)
    .filter((t) => t !== '');
  const data: InboxClosedItem[] = [];
  for (const row of rows) {
    const item = {
      conversation_id: row.id,
      customer: { psid: row.psid, first_name: row.first_name },
      resolved_at: row.resolved_at ?? 0,
      resolved_by: row.resolved_by === null ? null : { id: row.resolved_by, display_name: row.resolver_name ?? '' },
    };
    if (terms.length === 0) {
      data.push({ ...item, match: null });
      continue;
    }
    const match = matchOf(terms, row) ?? (await matchMessages(ctx, agent, row.id, row.customer_id, terms));
    if (match !== null) data.push({ ...item, match });
  }
  return { data, scanned: rows.length, truncated: rows.length === CLOSED_SCAN_LIMIT };
}

function matchOf(terms: string[], row: { first_name: string; psid: string }): InboxClosedItem['match'] {
  if (terms.length === 1 && terms[0] === row.psid) return { field: 'psid', snippet: null };
  const name = fold(row.first_name);
  if (terms.every((t) => name.includes(t))) return { field: 'name', snippet: null };
  return null;
}

async function matchMessages(
  ctx: HubContext,
  agent: Agent,
  conversationId: string,
  customerId: string,
  terms: string[],
): Promise<InboxClosedItem['match']> {
  const rows = await pageOfMessages(ctx.storage.db, conversationId, undefined, CLOSED_MESSAGES_PER_CONVERSATION);
  for (const row of rows) {
    let text: string | undefined;
    try {
      text = bodyText(
        await ctx.storage.vault.openMessage(
          { purpose: 'agent_support', actor: `agent:${agent.id}` },
          customerId,
          row.body,
        ),
      );
    } catch (err) {
      if (err instanceof ContentErasedError) return null;
      throw err;
    }
    if (text === undefined) continue;
    const folded = fold(text);
    if (terms.every((t) => folded.includes(t)))
      return { field: 'message', snippet: snippetAround(text, folded, terms[0] ?? '') };
  }
  return null;
}

/**
 * Search over one customer's conversations. Message content is sealed at rest, so there is
 * no index to query: each search opens the customer's newest messages (up to a bound per
 * conversation) with the customer's own key, for the customer, and matches them in memory.
 * Nothing searched for or found is written anywhere.
 */
import {
  PlatformError,
  type MessageBody,
  type SearchHit,
  type SearchQuery,
  type SearchResult,
} from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { ContentErasedError } from '../../privacy/purposes.js';
import { findConversationOfCustomer, pageOfMessages } from './store.js';

/** Messages searched per conversation, newest first (the answer says when a conversation had more). */
export const SEARCH_SCAN_LIMIT = 2_000;
const SNIPPET_CHARS = 120;

/** Fields of a message body that people read (URLs, payloads and ids are not searched). */
const READABLE_KEYS = new Set(['text', 'title', 'subtitle', 'merchant_name', 'order_number', 'recipient_name']);

export async function searchMessages(ctx: HubContext, customerId: string, query: SearchQuery): Promise<SearchResult> {
  const terms = fold(query.q)
    .split(/\s+/u)
    .filter((t) => t !== '');
  const conversations = await customerConversations(ctx, customerId, query.conversation_id);
  const hits: (SearchHit & { id: number })[] = [];
  let truncated = false;
  for (const conversationId of conversations) {
    const rows = await pageOfMessages(ctx.storage.db, conversationId, undefined, SEARCH_SCAN_LIMIT + 1);
    if (rows.length > SEARCH_SCAN_LIMIT) truncated = true;
    let found = 0;
    for (const row of rows.slice(0, SEARCH_SCAN_LIMIT)) {
      const text = await readableText(ctx, customerId, row.body);
      if (text === undefined) continue;
      const folded = fold(text);
      if (!terms.every((t) => folded.includes(t))) continue;
      hits.push({
        id: row.id,
        conversation_id: conversationId,
        mid: row.mid,
        cursor: String(row.id),
        created_at: row.created_at,
        direction: row.direction,
        snippet: snippetAround(text, folded, terms[0] ?? ''),
      });
      if (++found >= query.limit) break;
    }
  }
  hits.sort((a, b) => b.created_at - a.created_at || b.id - a.id);
  return {
    data: hits.slice(0, query.limit).map(({ id: _id, ...hit }) => hit),
    scan_limit: SEARCH_SCAN_LIMIT,
    truncated,
  };
}

async function customerConversations(ctx: HubContext, customerId: string, only: string | undefined): Promise<string[]> {
  if (only !== undefined) {
    const conv = await findConversationOfCustomer(ctx.storage.db, customerId, only);
    if (conv === undefined) throw new PlatformError('NOT_FOUND');
    return [conv.id];
  }
  const rows = await ctx.storage.db
    .selectFrom('conversations')
    .select('id')
    .where('customer_id', '=', customerId)
    .execute();
  return rows.map((r) => r.id);
}

async function readableText(ctx: HubContext, customerId: string, sealed: string): Promise<string | undefined> {
  let body: MessageBody;
  try {
    body = await ctx.storage.vault.openMessage(
      { purpose: 'deliver_to_customer', actor: `customer:${customerId}` },
      customerId,
      sealed,
    );
  } catch (err) {
    if (err instanceof ContentErasedError) return undefined;
    throw err;
  }
  return bodyText(body);
}

/** The readable text of a message body (text, button and template titles; not URLs or payloads). */
export function bodyText(body: MessageBody): string | undefined {
  const parts: string[] = [];
  if (body.text !== undefined) parts.push(body.text);
  if (body.postback !== undefined) parts.push(body.postback.title);
  for (const attachment of [body.attachment, ...(body.attachments ?? [])])
    collectReadable(attachment?.payload, parts, 0);
  return parts.length === 0 ? undefined : parts.join(' · ');
}

function collectReadable(value: unknown, into: string[], depth: number): void {
  if (depth > 8 || value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    if (typeof child === 'string') {
      if (READABLE_KEYS.has(key)) into.push(child);
    } else collectReadable(child, into, depth + 1);
  }
}

/** Lower case without accents, so "cafe" finds "Café"; one folded character per source character where possible. */
export function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

export function snippetAround(text: string, folded: string, term: string): string {
  if (text.length <= SNIPPET_CHARS) return text;
  // Folding can change lengths; positions are close enough for a snippet when it does.
  const at = Math.max(0, Math.min(folded.indexOf(term), text.length - 1));
  const start = Math.max(0, at - Math.floor(SNIPPET_CHARS / 3));
  const end = Math.min(text.length, start + SNIPPET_CHARS);
  return `${start > 0 ? '…' : ''}${text.slice(start, end).trim()}${end < text.length ? '…' : ''}`;
}

/**
 * Search over the customer's own conversations (`GET /api/search`). The hub decrypts the
 * customer's recent messages for the request and matches them in memory: no plaintext
 * index exists on disk.
 */
import { z } from 'zod';
import { DirectionSchema } from './message-body.js';

export const SearchQuerySchema = z.object({
  /** What to find: words are matched case- and accent-insensitively, all of them in one message. */
  q: z.string().trim().min(1).max(100),
  /** Only this conversation. */
  conversation_id: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export type SearchQuery = z.infer<typeof SearchQuerySchema>;

export const SearchHitSchema = z.object({
  conversation_id: z.string(),
  mid: z.string(),
  /** The message's paging cursor: pages fetched with `before` reach it once they pass this value. */
  cursor: z.string(),
  created_at: z.number(),
  direction: DirectionSchema,
  /** The matching text, cut around the first match. */
  snippet: z.string(),
});
export type SearchHit = z.infer<typeof SearchHitSchema>;

export const SearchResultSchema = z.object({
  data: z.array(SearchHitSchema),
  /** Messages older than the newest `scan_limit` of a conversation were not searched. */
  scan_limit: z.number().int(),
  /** True when some conversation had more messages than were searched. */
  truncated: z.boolean(),
});
export type SearchResult = z.infer<typeof SearchResultSchema>;

/**
 * Account-linking tokens: ≥128-bit random, single use, bound to one customer and page,
 * valid five minutes, stored only as a SHA-256 hash. The row also carries the pending
 * consent grant the customer chose on the hub's consent screen.
 */
import { PlatformError } from '@confide/protocol';
import type { Kysely } from 'kysely';
import { randomSecret, sha256Hex } from '../../crypto/tokens.js';
import type { Database, LinkingTokensTable } from '../../storage/schema.js';

/** How long a linking token is valid (Messenger: "only valid for 5 minutes"). */
export const LINKING_TOKEN_TTL_MS = 5 * 60_000;

/** A fresh token (32 random bytes, `ALT` prefix so it is recognisable in logs). */
export function newLinkingToken(): string {
  return `ALT${randomSecret(32)}`;
}

export function hashLinkingToken(token: string): string {
  return sha256Hex(token);
}

/** The unused, unexpired token row for this page, or undefined. */
export async function findLiveLinkingToken(
  db: Kysely<Database>,
  token: string | undefined,
  now: number,
): Promise<LinkingTokensTable | undefined> {
  if (token === undefined || token.length < 20 || token.length > 200) return undefined;
  const row = await db
    .selectFrom('linking_tokens')
    .selectAll()
    .where('token_hash', '=', hashLinkingToken(token))
    .executeTakeFirst();
  if (row === undefined || row.used_at !== null || row.expires_at <= now) return undefined;
  return row;
}

/**
 * The PSID a linking token stands for, for `GET /me?fields=recipient&account_linking_token=`.
 * Does not consume the token (the business may look it up before the customer returns).
 * @throws PlatformError `INVALID_LINKING_TOKEN` for unknown, used, expired or other-page tokens.
 */
export async function resolveLinkingToken(
  db: Kysely<Database>,
  pageId: string,
  token: string,
  now: number,
): Promise<string> {
  const row = await findLiveLinkingToken(db, token, now);
  if (row === undefined || row.page_id !== pageId) throw new PlatformError('INVALID_LINKING_TOKEN');
  return row.psid;
}

/**
 * The send-time consent check for proactive updates (MESSAGE_TAG). Reads the current
 * state projection of the ledger; expiry is judged against the caller's `now`, so a
 * grant is dead the millisecond it lapses even before the sweep records `expired`.
 */
import { PlatformError } from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import { isProactiveTag, TAG_GROUPS } from './categories.js';

export interface ProactiveSendInput {
  customerId: string;
  pageId: string;
  conversationId: string;
  /** The message tag, e.g. `ACCOUNT_UPDATE`. */
  tag: string;
  /** The category the business says this update belongs to; absent = the whole tag group. */
  category: string | undefined;
  now: number;
}

/**
 * Allows a proactive send only if the customer holds an active, unexpired grant for the
 * category (or, without one, for every category of the tag's group).
 * @throws PlatformError `INVALID_PARAMETER` for a tag that is not a proactive-update tag
 *   or a category outside the tag's group; `CONSENT_REQUIRED` when consent is missing,
 *   revoked, expired or too narrow.
 */
export async function assertProactiveSendAllowed(db: Kysely<Database>, input: ProactiveSendInput): Promise<void> {
  const { tag, category } = input;
  if (!isProactiveTag(tag)) {
    throw new PlatformError('INVALID_PARAMETER', {
      message: `Tag ${tag} is not a proactive update tag`,
      detail: { field: 'tag' },
    });
  }
  const group: readonly string[] = TAG_GROUPS[tag];
  if (category !== undefined && !group.includes(category)) {
    throw new PlatformError('INVALID_PARAMETER', {
      message: `Category ${category} does not belong to tag ${tag} (allowed: ${group.join(', ')})`,
      detail: { field: 'category', allowed: [...group] },
    });
  }
  const needed = category === undefined ? group : [category];
  await assertCategoryConsent(db, {
    customerId: input.customerId,
    pageId: input.pageId,
    categories: needed,
    now: input.now,
    detail: { tag },
  });
}

export interface CategoryConsentInput {
  customerId: string;
  pageId: string;
  /** Every category the send needs the customer to have allowed. */
  categories: readonly string[];
  now: number;
  /** Added to the error's detail (the tag, or the utility template). */
  detail: Record<string, unknown>;
}

/**
 * Allows a send only if the customer holds an active, unexpired grant covering every
 * category. Shared by tagged sends and utility template sends.
 * @throws PlatformError `CONSENT_REQUIRED` when consent is missing, revoked, expired or too narrow.
 */
export async function assertCategoryConsent(db: Kysely<Database>, input: CategoryConsentInput): Promise<void> {
  const needed = input.categories;
  const state = await db
    .selectFrom('consent_state')
    .select(['status', 'categories', 'expires_at'])
    .where('customer_id', '=', input.customerId)
    .where('page_id', '=', input.pageId)
    .executeTakeFirst();

  const reason = refusalReason(state, needed, input.now);
  if (reason === undefined) return;
  const granted = state === undefined ? [] : (JSON.parse(state.categories) as string[]);
  const missing = reason === 'not_granted' ? needed.filter((c) => !granted.includes(c)) : [...needed];
  throw new PlatformError('CONSENT_REQUIRED', { detail: { reason, ...input.detail, missing } });
}

/** Why the send is refused, or undefined when the grant covers every needed category. */
function refusalReason(
  state: { status: string; categories: string; expires_at: number | null } | undefined,
  needed: readonly string[],
  now: number,
): 'none' | 'revoked' | 'expired' | 'not_granted' | undefined {
  if (state === undefined) return 'none';
  if (state.status === 'revoked') return 'revoked';
  if (state.status !== 'active' || state.expires_at === null || state.expires_at <= now) return 'expired';
  const granted = JSON.parse(state.categories) as string[];
  return needed.every((c) => granted.includes(c)) ? undefined : 'not_granted';
}

/**
 * Step "consent" — a proactive update reaches the customer only with their consent, read in
 * the send's transaction so a revocation applies to the very next send: a MESSAGE_TAG send
 * under a consent tag (for its `notification_category`, or the whole tag group), or a
 * utility template send (for the category its template declares). Other sends need none.
 */
import { CONSENT_TAGS } from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../../../storage/schema.js';
import type { ConversationRow } from '../../conversations/index.js';
import { assertCategoryConsent, assertProactiveSendAllowed } from '../../consent/assert-consent.js';
import type { SendTerms } from './terms.js';

/** @throws PlatformError `CONSENT_REQUIRED` (10/1400001), or 100 for a category outside the tag's group. */
export function assertSendConsent(
  db: Kysely<Database>,
  conv: Pick<ConversationRow, 'id' | 'customer_id' | 'page_id'>,
  terms: SendTerms,
  now: number,
): Promise<void> | undefined {
  // A send that needs no consent answers at once (no promise): most sends are replies.
  if (terms.kind !== 'message') return;
  if (terms.messagingType === 'UTILITY') {
    return assertCategoryConsent(db, {
      customerId: conv.customer_id,
      pageId: conv.page_id,
      categories: [terms.category as string],
      now,
      detail: { template: terms.template },
    });
  }
  if (terms.messagingType !== 'MESSAGE_TAG' || terms.tag === undefined || !CONSENT_TAGS.includes(terms.tag)) return;
  return assertProactiveSendAllowed(db, {
    customerId: conv.customer_id,
    pageId: conv.page_id,
    conversationId: conv.id,
    tag: terms.tag,
    category: terms.category,
    now,
  });
}

/** The conversations feature's part in privacy (privacy/hooks.ts): the customer's conversation with a page. */
import type { Kysely } from 'kysely';
import type { PrivacyHooks } from '../../privacy/hooks.js';
import type { Database } from '../../storage/schema.js';
import { findConversationByPair } from './store.js';

export function conversationPrivacyHooks(db: Kysely<Database>): PrivacyHooks {
  return {
    conversationWith: async (customerId, pageId) => (await findConversationByPair(db, customerId, pageId))?.id,
  };
}

/** The customers feature's part in privacy (privacy/hooks.ts): finding a customer by username for operator commands. */
import type { Kysely } from 'kysely';
import type { PrivacyHooks } from '../../privacy/hooks.js';
import type { Database } from '../../storage/schema.js';
import { findCustomerByUsername } from './store.js';

export function customerPrivacyHooks(db: Kysely<Database>): PrivacyHooks {
  return {
    customerIdByUsername: async (username) => (await findCustomerByUsername(db, username))?.id,
  };
}

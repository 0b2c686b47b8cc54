import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * The hub's signing keys are wrapped by the KEK, not sealed with the service key, and only
 * keys whose wrap opens under the KEK are trusted: a key inserted by someone who can edit
 * the database signs nothing the hub accepts (crypto/signing-keys.ts). Existing rows keep
 * `kek_id` null until the next start re-wraps them.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('signing_keys').addColumn('kek_id', 'text').execute();
}

import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * An app may turn on Standard Webhooks signatures (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`) besides `X-Hub-Signature(-256)`: its `whsec_` secret, sealed with the
 * service key like the app secret; null while they are off (features/webhooks/standard-webhooks.ts).
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('apps').addColumn('std_webhook_secret_enc', 'text').execute();
}

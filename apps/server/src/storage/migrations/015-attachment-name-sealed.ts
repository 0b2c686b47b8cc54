import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * An uploaded file's name is sealed under the file's own key (`attachments.filename_enc`,
 * privacy/vault.ts), like its bytes, so it is shredded with them; `filename` stays for rows
 * written before, until `confide keys rekey-attachments` seals their names too.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('attachments').addColumn('filename_enc', 'text').execute();
}

import type { Kysely } from 'kysely';

/**
 * A page's picture (features/pages/page-picture.ts): the sealed bytes live in the blob store under
 * `picture_key`; `picture_version` (a hash of the bytes) versions its URL so caches can keep it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('pages').addColumn('picture_key', 'text').execute();
  await db.schema.alterTable('pages').addColumn('picture_type', 'text').execute();
  await db.schema.alterTable('pages').addColumn('picture_version', 'text').execute();
  await db.schema.alterTable('pages').addColumn('picture_width', 'integer').execute();
  await db.schema.alterTable('pages').addColumn('picture_height', 'integer').execute();
}

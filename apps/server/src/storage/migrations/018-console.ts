import type { Kysely } from 'kysely';

/**
 * The business console (features/console): organisations, their members (argon2id
 * passwords, a role each), members' sessions (hashed), one-time invite codes (hashed), which organisation owns each page,
 * and a label and last use on page tokens.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('organisations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('org_members')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('org_members_org').on('org_members').columns(['org_id']).execute();
  await db.schema
    .createTable('org_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull().references('org_members.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('org_sessions_member').on('org_sessions').columns(['member_id']).execute();
  await db.schema
    .createTable('org_invites')
    .addColumn('code_hash', 'text', (c) => c.primaryKey())
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('used_by', 'text')
    .execute();
  await db.schema.createIndex('org_invites_org').on('org_invites').columns(['org_id']).execute();
  await db.schema
    .createTable('org_pages')
    .addColumn('page_id', 'text', (c) => c.primaryKey().references('pages.id'))
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .execute();
  await db.schema.createIndex('org_pages_org').on('org_pages').columns(['org_id']).execute();
  await db.schema.alterTable('page_tokens').addColumn('label', 'text').execute();
  await db.schema.alterTable('page_tokens').addColumn('last_used_at', 'bigint').execute();
}

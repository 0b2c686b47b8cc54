import type { Kysely } from 'kysely';

/**
 * The business console (features/console): organisations, their members (argon2id
 * passwords, a role each), members' sessions (hashed), one-time invite codes (hashed), which organisation owns each page,
 * a label and last use on page tokens, and the webhook delivery attempt log.
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
  // One row per webhook POST (deliveries by the worker and the console's test events), for
  // the console's delivery log; kept 7 days (features/webhooks/attempt-log.ts).
  await db.schema
    .createTable('webhook_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('first_event_id', 'bigint')
    .addColumn('last_event_id', 'bigint')
    .addColumn('events', 'integer', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('latency_ms', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('response_snippet', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_attempts_app_at').on('webhook_attempts').columns(['app_id', 'at']).execute();
  await db.schema.alterTable('page_tokens').addColumn('label', 'text').execute();
  await db.schema.alterTable('page_tokens').addColumn('last_used_at', 'bigint').execute();
}

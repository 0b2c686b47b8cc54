import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Privacy engineering (docs/privacy.md): the PostgreSQL keystore (SQLite keeps its keys
 * in a separate file, never in this database), and the hash-chained audit log with its
 * head (one row, locked to order appends across processes) and signed checkpoints.
 */
export async function up(db: Kysely<unknown>, { dialect }: MigrationContext): Promise<void> {
  if (dialect === 'postgres') {
    await db.schema
      .createTable('privacy_keys')
      .addColumn('scope', 'text', (c) => c.primaryKey())
      .addColumn('customer_id', 'text')
      .addColumn('kek_id', 'text')
      .addColumn('material', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('privacy_keys_customer').on('privacy_keys').columns(['customer_id']).execute();
  }

  await db.schema
    .createTable('audit_log')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    .addColumn('target', 'text')
    .addColumn('purpose', 'text')
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_customer').on('audit_log').columns(['customer_id', 'seq']).execute();

  await db.schema
    .createTable('audit_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await sql`insert into audit_head (id, seq, hash) values (1, 0, ${GENESIS})`.execute(db);

  await db.schema
    .createTable('audit_checkpoints')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('jws', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

/** `prev_hash` of the first audit record. */
export const GENESIS = '0'.repeat(64);

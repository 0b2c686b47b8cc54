/**
 * Shared steps of the privacy suites: a page with a webhook, a customer who writes, a
 * business template, and raw views of what the database holds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import type { Hub } from '../../src/hub.js';
import { createPage, openConversation, signUp } from '../helpers.js';

export interface Scene {
  page: Awaited<ReturnType<typeof createPage>>;
  customer: { cookie: string; id: string; username: string };
  conversationId: string;
  psid: string;
}

/** A page whose app has a (never reachable) webhook, and a customer in conversation with it. */
export async function scene(hub: Hub, password = 'correct horse battery'): Promise<Scene> {
  const page = await createPage(hub, { webhookUrl: 'http://127.0.0.1:9/hook' });
  const customer = await signUp(hub, undefined, password);
  const conv = await openConversation(hub, customer.cookie, page.page_id);
  const row = await hub.ctx.storage.db
    .selectFrom('conversations')
    .select('psid')
    .where('id', '=', conv.id)
    .executeTakeFirstOrThrow();
  return { page, customer, conversationId: conv.id, psid: row.psid };
}

/** The customer writes `text`. */
export async function customerSays(hub: Hub, s: Scene, text: string): Promise<void> {
  const res = await hub.app.inject({
    method: 'POST',
    url: `/api/conversations/${s.conversationId}/messages`,
    headers: { cookie: s.customer.cookie },
    payload: { text },
  });
  if (res.statusCode !== 201) throw new Error(`customer message failed: ${res.statusCode} ${res.body}`);
}

/** The business sends a generic template whose title and payload carry `secret`. */
export async function businessSendsTemplate(hub: Hub, s: Scene, secret: string): Promise<void> {
  const res = await hub.app.inject({
    method: 'POST',
    url: `/v19.0/me/messages?access_token=${s.page.page_access_token}`,
    payload: {
      recipient: { id: s.psid },
      messaging_type: 'RESPONSE',
      message: {
        attachment: {
          type: 'template',
          payload: {
            template_type: 'generic',
            elements: [
              {
                title: `Statement ${secret}`,
                subtitle: 'monthly',
                buttons: [{ type: 'postback', title: 'Details', payload: `DETAILS_${secret}` }],
              },
            ],
          },
        },
      },
    },
  });
  if (res.statusCode !== 200) throw new Error(`template send failed: ${res.statusCode} ${res.body}`);
}

/** What the customer reads back through the API, as one string. */
export async function customerView(hub: Hub, s: Scene): Promise<string> {
  const res = await hub.app.inject({
    method: 'GET',
    url: `/api/conversations/${s.conversationId}/messages?limit=200`,
    headers: { cookie: s.customer.cookie },
  });
  if (res.statusCode !== 200) throw new Error(`messages failed: ${res.statusCode} ${res.body}`);
  return res.body;
}

/** Raw bytes of every SQLite file of a data folder (database, WAL, keystore). */
export function rawSqliteBytes(dataDir: string): Buffer {
  const parts: Buffer[] = [];
  for (const name of fs.readdirSync(dataDir)) {
    const file = path.join(dataDir, name);
    if (fs.statSync(file).isFile()) parts.push(fs.readFileSync(file));
  }
  return Buffer.concat(parts);
}

/** Every row of every table of the current PostgreSQL schema, as text. */
export async function rawPostgresText(hub: Hub): Promise<string> {
  const db = hub.ctx.storage.db;
  const tables = await sql<{
    table_name: string;
  }>`select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(
    db,
  );
  const out: string[] = [];
  for (const { table_name } of tables.rows) {
    const rows = await sql<{ row: string }>`select t::text as row from ${sql.table(table_name)} t`.execute(db);
    out.push(`[${table_name}]`, ...rows.rows.map((r) => r.row));
  }
  return out.join('\n');
}

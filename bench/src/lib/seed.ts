/**
 * Setup data for a scenario, written with the server library against the same data
 * directory (or PostgreSQL schema) BEFORE the hub process starts: one page with its app
 * and token through the Pages use case, then customers, sessions and conversations in
 * bulk (signing up 20,000 customers through argon2 would take longer than the run).
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createHub, loadConfig } from '@confide/server';

export const PG_URL = process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Where the hub keeps its data for one scenario run. */
export interface Store {
  dataDir: string;
  databaseUrl: string | undefined;
  dispose(): Promise<void>;
}

/** A fresh temp data dir, plus a fresh PostgreSQL schema when `postgres` is set. */
export async function freshStore(postgres: boolean): Promise<Store> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-bench-'));
  if (!postgres) {
    return { dataDir, databaseUrl: undefined, dispose: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  await withPg((c) => c.query(`create schema ${schema}`));
  const sep = PG_URL.includes('?') ? '&' : '?';
  return {
    dataDir,
    databaseUrl: `${PG_URL}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    async dispose() {
      fs.rmSync(dataDir, { recursive: true, force: true });
      await withPg((c) => c.query(`drop schema ${schema} cascade`));
    },
  };
}

/** True when PostgreSQL answers at PG_URL. */
export async function postgresAvailable(): Promise<boolean> {
  try {
    await withPg((c) => c.query('select 1'));
    return true;
  } catch {
    return false;
  }
}

async function withPg<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface SeedCustomer {
  id: string;
  /** Value of the `Cookie` header. */
  cookie: string;
  conversationId: string;
  psid: string;
}

export interface Fixture {
  pageId: string;
  appId: string;
  appSecret: string;
  pageToken: string;
  customers: SeedCustomer[];
}

export interface SeedOptions {
  customers: number;
  /** Callback URL of the page's app (the webhooks scenario). */
  webhookUrl?: string;
  /** Verify token sent back by the receiver during the subscription handshake. */
  verifyToken?: string;
}

const CHUNK = 500;

export async function seed(store: Store, options: SeedOptions): Promise<Fixture> {
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATA_DIR: store.dataDir,
      ...(store.databaseUrl === undefined ? {} : { DATABASE_URL: store.databaseUrl }),
    },
    () => undefined,
  );
  const hub = await createHub(config);
  try {
    const page = await hub.services.pages.createPage({
      name: 'Bench Bank',
      category: 'bank',
      description: 'Benchmark page',
      webhookUrl: options.webhookUrl ?? null,
      verifyToken: options.verifyToken ?? null,
    });
    const now = Date.now();
    const customers: SeedCustomer[] = [];
    const db = hub.ctx.storage.db;
    for (let start = 0; start < options.customers; start += CHUNK) {
      const n = Math.min(CHUNK, options.customers - start);
      const rows = Array.from({ length: n }, (_, k) => {
        const i = start + k;
        const session = randomBytes(24).toString('base64url');
        const c: SeedCustomer = {
          id: `u_bench${i}`,
          cookie: `confide_session=${session}`,
          conversationId: `c_bench${i}`,
          psid: String(7_000_000_000_000_000 + i),
        };
        customers.push(c);
        return { c, sessionHash: createHash('sha256').update(session).digest('hex') };
      });
      await db.transaction().execute(async (trx) => {
        // Logins are not exercised: the hash only has to be a well-formed argon2 string.
        await trx
          .insertInto('customers')
          .values(rows.map(({ c }) => ({ id: c.id, username: `bench${c.id}`, password_hash: '$argon2id$v=19$m=19456,t=2,p=1$x$x', created_at: now })))
          .execute();
        await trx
          .insertInto('sessions')
          .values(rows.map(({ c, sessionHash }) => ({ id_hash: sessionHash, customer_id: c.id, created_at: now, expires_at: now + 86_400_000 })))
          .execute();
        await trx
          .insertInto('conversations')
          .values(
            rows.map(({ c }) => ({
              id: c.conversationId,
              customer_id: c.id,
              page_id: page.page_id,
              psid: c.psid,
              created_at: now,
              last_message_at: now,
              // The customer wrote just now: the 24-hour standard messaging window is open.
              last_customer_message_at: now,
              thread_owner_app_id: null,
            })),
          )
          .execute();
      });
    }
    return { pageId: page.page_id, appId: page.app_id, appSecret: page.app_secret, pageToken: page.page_access_token, customers };
  } finally {
    await hub.close();
  }
}

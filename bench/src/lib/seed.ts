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

/** Temp data dirs not yet disposed, removed by an interrupted run (see run.ts). */
export const liveDataDirs = new Set<string>();

/** A fresh temp data dir, plus a fresh PostgreSQL schema when `postgres` is set. */
export async function freshStore(postgres: boolean): Promise<Store> {
  const created = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-bench-'));
  liveDataDirs.add(created);
  return postgres ? postgresStore(created) : sqliteStore(created);
}

function removeDir(dataDir: string): void {
  fs.rmSync(dataDir, { recursive: true, force: true });
  liveDataDirs.delete(dataDir);
}

function sqliteStore(dataDir: string): Store {
  return { dataDir, databaseUrl: undefined, dispose: async () => removeDir(dataDir) };
}

async function postgresStore(dataDir: string): Promise<Store> {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  await withPg((c) => c.query(`create schema ${schema}`));
  const sep = PG_URL.includes('?') ? '&' : '?';
  return {
    dataDir,
    databaseUrl: `${PG_URL}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    async dispose() {
      removeDir(dataDir);
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
  /** Further pages, each with its own app on `webhookUrl` and its share of the customers. */
  extraPages?: number;
  /**
   * Messages each customer sends before the hub starts (text ending in `#n`, n counting
   * up), leaving that many pending webhook events per conversation in the outbox.
   */
  webhookBacklog?: number;
}

const CHUNK = 500;

export async function seed(store: Store, options: SeedOptions): Promise<Fixture> {
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATA_DIR: store.dataDir,
      // No webhook worker while seeding: the backlog must wait for the hub process.
      SERVICES: 'api',
      ...(store.databaseUrl === undefined ? {} : { DATABASE_URL: store.databaseUrl }),
    },
    () => undefined,
  );
  const hub = await createHub(config);
  try {
    const pages: Array<Awaited<ReturnType<typeof hub.services.pages.createPage>>> = [];
    for (let p = 0; p <= (options.extraPages ?? 0); p++) {
      pages.push(
        await hub.services.pages.createPage({
          name: `Bench Bank ${p}`,
          category: 'bank',
          description: 'Benchmark page',
          webhookUrl: options.webhookUrl ?? null,
          verifyToken: options.webhookUrl === undefined ? null : 'bench-verify',
        }),
      );
    }
    const page = pages[0] as (typeof pages)[number];
    const now = Date.now();
    const customers: SeedCustomer[] = [];
    const pageOf = (c: SeedCustomer) =>
      pages[Number(c.id.slice('u_bench'.length)) % pages.length] as (typeof pages)[number];
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
          .values(
            rows.map(({ c }) => ({
              id: c.id,
              username: `bench${c.id}`,
              password_hash: '$argon2id$v=19$m=19456,t=2,p=1$x$x',
              created_at: now,
            })),
          )
          .execute();
        await trx
          .insertInto('sessions')
          .values(
            rows.map(({ c, sessionHash }) => ({
              id_hash: sessionHash,
              customer_id: c.id,
              created_at: now,
              expires_at: now + 86_400_000,
            })),
          )
          .execute();
        await trx
          .insertInto('conversations')
          .values(
            rows.map(({ c }) => ({
              id: c.conversationId,
              customer_id: c.id,
              page_id: pageOf(c).page_id,
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
    if (options.webhookBacklog !== undefined) {
      // Through the conversations use case, so the outbox rows are exactly what the hub writes.
      const conversations = hub.services.conversations;
      for (let n = 0; n < options.webhookBacklog; n++) {
        for (let at = 0; at < customers.length; at += 256) {
          await Promise.all(
            customers
              .slice(at, at + 256)
              .map((c) => conversations.send(c.id, c.conversationId, { text: `Balance? #${n}` })),
          );
        }
      }
    }
    return {
      pageId: page.page_id,
      appId: page.app_id,
      appSecret: page.app_secret,
      pageToken: page.page_access_token,
      customers,
    };
  } finally {
    await hub.close();
  }
}

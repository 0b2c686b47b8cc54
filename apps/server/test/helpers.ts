/**
 * Test helpers: a hub per test on a real database (in-memory SQLite, or a fresh
 * PostgreSQL schema on 127.0.0.1), a movable clock, and customer/page factories.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hash } from '@node-rs/argon2';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { verifyPassword, type PasswordHasher } from '../src/features/customers/passwords.js';
import type { AlexaTrust } from '../src/features/alexa/routes.js';
import { createHub, type Hub } from '../src/hub.js';
import { generateVapidPair } from '../src/features/push/vapid.js';

export type DialectName = 'sqlite' | 'postgres';

/** Dialects the storage suites run on; `DIALECTS=sqlite` narrows a local run. */
export const DIALECTS: DialectName[] = (process.env['DIALECTS']?.split(',') as DialectName[] | undefined) ?? [
  'sqlite',
  'postgres',
];

/**
 * What the storage suites run on: each dialect, and SQLite on a file, where the write queue
 * writes through the writer thread (storage/sqlite-writer/) and `storage.db` reads on the main thread.
 */
export const STORAGE_VARIANTS: Array<{ name: string; dialect: DialectName; file: boolean }> = [
  ...DIALECTS.map((dialect) => ({ name: dialect, dialect, file: false })),
  ...(DIALECTS.includes('sqlite') ? [{ name: 'sqlite writer thread', dialect: 'sqlite' as const, file: true }] : []),
];

export interface ProcessVariant {
  name: string;
  dialect: DialectName;
  env: Record<string, string>;
}

/**
 * What the process tests run a hub on: each dialect, SQLite both in process and with its
 * writer thread (`env` for the hub process, whatever the default of SQLITE_WRITER_THREAD).
 */
export const PROCESS_VARIANTS: ProcessVariant[] = DIALECTS.flatMap((dialect): ProcessVariant[] =>
  dialect === 'sqlite'
    ? [
        { name: 'sqlite', dialect, env: { SQLITE_WRITER_THREAD: 'false' } },
        { name: 'sqlite writer thread', dialect, env: { SQLITE_WRITER_THREAD: 'true' } },
      ]
    : [{ name: dialect, dialect, env: {} }],
);

export const PG_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * The environment of a production hub: fresh service key and KEK, and the VAPID pair production
 * requires (config.ts refuses to start without it).
 */
export function productionEnv(): Record<string, string> {
  const vapid = generateVapidPair();
  return {
    NODE_ENV: 'production',
    SERVICE_KEY: randomBytes(32).toString('base64url'),
    KEK: randomBytes(32).toString('base64'),
    ...vapid,
  };
}

export interface TestClock {
  now: () => number;
  advance(ms: number): void;
  set(ms: number): void;
}

export function testClock(start = Date.UTC(2026, 10, 23, 12, 0, 0)): TestClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms), set: (ms) => void (t = ms) };
}

export interface TestHub extends Hub {
  clock: TestClock | undefined;
  dispose(): Promise<void>;
}

/**
 * argon2id at its lowest cost, for test hubs: the same algorithm, hash format and verification as
 * the hub's hasher, without spending ~20 MiB and two passes on every sign-up and login of the suite.
 * Hubs from `createHub` keep the production parameters (passwords.test.ts checks them, and the
 * browser and e2e hubs use them).
 */
export const testPasswords: PasswordHasher = {
  hash: (password) => hash(password, { algorithm: 2 /* argon2id */, memoryCost: 1024, timeCost: 1, parallelism: 1 }),
  verify: verifyPassword,
};

export interface TestHubOptions {
  dialect?: DialectName;
  clock?: TestClock;
  env?: Record<string, string>;
  dataDir?: string;
  /** SQLite on a file in a fresh temporary folder (removed by `dispose()`) with the writer thread, instead of in memory. */
  file?: boolean;
  /** Password hashing override (count verifications); `testPasswords` unless given. */
  passwords?: PasswordHasher;
  /** Alexa certificate fetcher and roots (a local CA). */
  alexa?: AlexaTrust;
}

/** A hub on a fresh database. Call `dispose()` (drops the PostgreSQL schema). */
export async function buildTestHub(options: TestHubOptions = {}): Promise<TestHub> {
  const dialect = options.dialect ?? 'sqlite';
  const fileDir =
    options.file === true && options.dataDir === undefined
      ? fs.mkdtempSync(path.join(os.tmpdir(), 'confide-test-'))
      : undefined;
  if (fileDir !== undefined) options = { ...options, dataDir: fileDir };
  let databaseUrl: string | undefined;
  let schema: string | undefined;
  if (dialect === 'postgres') {
    schema = `t_${randomBytes(6).toString('hex')}`;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`create schema ${schema}`);
    await client.end();
    // A test database need not wait for the disk at each commit (durability after a crash of the
    // PostgreSQL server is not what these hubs test); what a transaction sees is unchanged.
    databaseUrl = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema} -c synchronous_commit=off`)}`;
  }
  // A PostgreSQL hub without its own data folder gets its own audit witness: the shared
  // ./data-test folder would mix the checkpoints of every test's database in one file.
  const witness =
    schema !== undefined && options.dataDir === undefined
      ? path.join(os.tmpdir(), `confide-witness-${schema}.jsonl`)
      : undefined;
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PORT: '0',
      DATA_DIR: options.dataDir ?? './data-test',
      ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
      ...(witness === undefined ? {} : { AUDIT_WITNESS: `file:${witness}` }),
      ...(fileDir === undefined ? {} : { SQLITE_WRITER_THREAD: 'true' }),
      ...options.env,
    },
    () => undefined,
  );
  const hub = await createHub(config, {
    memory: dialect === 'sqlite' && options.dataDir === undefined,
    ...(options.clock ? { now: options.clock.now } : {}),
    passwords: options.passwords ?? testPasswords,
    ...(options.alexa ? { alexa: options.alexa } : {}),
  });
  return Object.assign(hub, {
    clock: options.clock,
    async dispose() {
      await hub.close();
      if (witness !== undefined) fs.rmSync(witness, { force: true });
      if (fileDir !== undefined) fs.rmSync(fileDir, { recursive: true, force: true });
      if (schema !== undefined) {
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        await client.query(`drop schema ${schema} cascade`);
        await client.end();
      }
    },
  });
}

/** Signs a customer up through the API; returns the session cookie header value. */
export async function signUp(
  hub: Hub,
  username = `user${randomBytes(4).toString('hex')}`,
  password = 'correct horse battery',
): Promise<{ cookie: string; id: string; username: string }> {
  const res = await hub.app.inject({ method: 'POST', url: '/api/signup', payload: { username, password } });
  if (res.statusCode !== 201) throw new Error(`signup failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'confide_session');
  if (cookie === undefined) throw new Error('no session cookie');
  return { cookie: `confide_session=${cookie.value}`, id: res.json().customer.id, username };
}

/** Creates a page with an app and token. */
export function createPage(
  hub: Hub,
  overrides: { name?: string; category?: 'bank' | 'merchant'; webhookUrl?: string; verifyToken?: string } = {},
) {
  return hub.services.pages.createPage({
    name: overrides.name ?? `Page ${randomBytes(3).toString('hex')}`,
    category: overrides.category ?? 'bank',
    description: 'A test business',
    privacyPolicyUrl: null,
    webhookUrl: overrides.webhookUrl ?? null,
    verifyToken: overrides.verifyToken ?? null,
  });
}

/** Opens (or reopens) the customer's conversation with a page. */
export async function openConversation(hub: Hub, cookie: string, pageId: string): Promise<{ id: string }> {
  const res = await hub.app.inject({
    method: 'POST',
    url: '/api/conversations',
    headers: { cookie },
    payload: { page_id: pageId },
  });
  if (res.statusCode !== 200) throw new Error(`open failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

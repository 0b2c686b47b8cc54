/**
 * Multi-hub test helpers: one fresh PostgreSQL schema shared by several hubs, each with
 * its own NATS connection on a test-unique subject prefix, and a WebSocket stream client.
 */
import type { ServerFrame } from '@confide/protocol';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import WebSocket from 'ws';
import type { Bus } from '../../src/bus/bus.js';
import { loadConfig } from '../../src/config.js';
import type { PasswordHasher } from '../../src/features/customers/passwords.js';
import { createHub, type Hub } from '../../src/hub.js';
import { PG_URL } from '../helpers.js';

import { NATS_URL } from '../nats.js';

export { NATS_URL };

export interface SharedSchema {
  /** DATABASE_URL selecting the schema through `search_path`. */
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty schema; every hub given its URL shares the same tables. */
export async function createSharedSchema(): Promise<SharedSchema> {
  const schema = `s_${randomBytes(6).toString('hex')}`;
  await withClient((c) => c.query(`create schema ${schema}`));
  const url = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return {
    url,
    drop: async () => {
      await withClient((c) => c.query(`drop schema ${schema} cascade`));
      fs.rmSync(witnessFileFor(url), { force: true });
    },
  };
}

/** The audit witness every hub of one shared schema appends to (a shared, append-only file). */
export function witnessFileFor(databaseUrl: string): string {
  return path.join(
    os.tmpdir(),
    `confide-witness-${createHash('sha256').update(databaseUrl).digest('hex').slice(0, 16)}.jsonl`,
  );
}

async function withClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A unique NATS subject prefix, so concurrent test files never hear each other. */
export function uniquePrefix(): string {
  return `test.${randomBytes(5).toString('hex')}`;
}

/** A hub on the shared schema with NATS_URL set (or the given bus, or clock), not yet listening. */
export async function buildScaleHub(
  databaseUrl: string,
  prefix: string,
  options: { env?: Record<string, string>; bus?: Bus; now?: () => number; passwords?: PasswordHasher } = {},
): Promise<Hub> {
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PORT: '0',
      DATABASE_URL: databaseUrl,
      NATS_URL,
      NATS_SUBJECT_PREFIX: prefix,
      AUDIT_WITNESS: `file:${witnessFileFor(databaseUrl)}`,
      ...options.env,
    },
    () => undefined,
  );
  return createHub(config, {
    ...(options.bus === undefined ? {} : { bus: options.bus }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.passwords === undefined ? {} : { passwords: options.passwords }),
  });
}

/** A customer's WebSocket stream that records every frame. */
export class StreamClient {
  readonly frames: ServerFrame[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  #waiters: Array<() => void> = [];

  constructor(httpUrl: string, cookie: string, cursor?: number) {
    const url = `${httpUrl.replace('http://', 'ws://')}/api/stream${cursor === undefined ? '' : `?cursor=${cursor}`}`;
    this.ws = new WebSocket(url, { headers: { cookie, origin: httpUrl } });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as ServerFrame);
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  /** Waits until the frames satisfy `predicate` (the test's own timeout bounds it). */
  async waitFor(predicate: (frames: ServerFrame[]) => boolean): Promise<void> {
    while (!predicate(this.frames)) await new Promise<void>((r) => this.#waiters.push(r));
  }

  ready(): Promise<void> {
    return this.waitFor((fs) => fs.some((f) => f.type === 'ready'));
  }

  /** Waits until `n` message frames arrived. */
  messages(n: number): Promise<void> {
    return this.waitFor(() => this.texts().length >= n);
  }

  texts(): string[] {
    return this.frames.flatMap((f) => (f.type === 'message' ? [f.message.body.text ?? ''] : []));
  }

  /** Cursors of persisted frames, in arrival order. */
  cursors(): number[] {
    return this.frames.flatMap((f) => ('cursor' in f && f.type !== 'ready' ? [f.cursor] : []));
  }

  lastCursor(): number {
    return Math.max(0, ...this.cursors());
  }

  close(): Promise<void> {
    return new Promise((r) => {
      if (this.ws.readyState === WebSocket.CLOSED) return r();
      this.ws.once('close', () => r());
      this.ws.close();
    });
  }
}

/** Waits for a condition that another connection or process makes true. */
export async function until(predicate: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await predicate())) await new Promise((r) => setTimeout(r, 10));
}

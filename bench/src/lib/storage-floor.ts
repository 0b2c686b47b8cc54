/**
 * The storage floor: what this machine's database commits for the Send API's own row set
 * (the message, the conversation's timestamp, the customer's event counter and event, one
 * webhook outbox row) with no HTTP, no hub and no JavaScript beyond a tight loop, in group
 * commits of the size the hub makes. Same schema (the hub's migrations, through the seed),
 * same durability (SQLite WAL with synchronous=FULL; PostgreSQL's default fsync).
 *
 * SQLite: prepared statements per message, one transaction per group (better-sqlite3 is
 * synchronous, so this is the best one connection does). PostgreSQL: one set-based
 * statement per table per group (`unnest` of arrays), the shape the storage-speed issue
 * asks of the hub; five statements and a commit per group, on as many connections as the
 * hub keeps write transactions in flight (each on its own customers, as the hub partitions).
 * The loop's own CPU per message is measured too: it sits next to the hub's CPU per write.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { RunContext } from '../scenarios/types.js';
import { freshStore, seed, type Fixture } from './seed.js';
import { round } from './stats.js';

export interface FloorResult {
  dialect: 'sqlite' | 'postgres';
  groupSize: number;
  messages: number;
  commits: number;
  mps: number;
  /** Connections writing at once (PostgreSQL; SQLite has one writer). */
  connections: number;
  /** Wall time per message: the cost the hub cannot go below. */
  usPerMessage: number;
  /** CPU of the loop's own process per message (the driver's work; PostgreSQL's backends not counted). */
  cpuMsPerMessage: number;
}

export interface FloorOptions {
  postgres: boolean;
  /** Messages per commit: the hub's measured jobs per batch for the scenario compared. */
  groupSize: number;
  /** PostgreSQL: transactions in flight at once, the hub's write concurrency (default 1). */
  connections?: number;
}

/** Measured once per run and size, shared by the scenarios that compare with it. */
export function measureStorageFloor(ctx: RunContext, o: FloorOptions): Promise<FloorResult> {
  const groupSize = Math.max(1, Math.round(o.groupSize));
  const connections = o.postgres ? Math.max(1, o.connections ?? 1) : 1;
  const key = `storage-floor:${o.postgres ? 'pg' : 'sqlite'}:${groupSize}:${connections}`;
  return ctx.reference(key, async () => {
    ctx.log(
      `  reference: storage floor (${o.postgres ? 'PostgreSQL' : 'SQLite'}), the Send API's row set, ${groupSize} messages per commit${connections > 1 ? `, ${connections} connections` : ''}`,
    );
    const store = await freshStore(o.postgres);
    try {
      const customers = Math.max(64, groupSize * connections);
      const fx = await seed(store, { customers, webhookUrl: 'http://127.0.0.1:9/floor' });
      const loop = { groupSize, connections, warmupMs: ctx.warmupMs, durationMs: ctx.durationMs };
      return store.databaseUrl === undefined
        ? sqliteFloor(path.join(store.dataDir, 'confide.db'), fx, loop)
        : await postgresFloor(store.databaseUrl, fx, loop);
    } finally {
      await store.dispose();
    }
  });
}

interface Loop {
  groupSize: number;
  connections: number;
  warmupMs: number;
  durationMs: number;
}

/** What one message writes, sized like the hub's rows (a sealed body, a frame, a webhook payload). */
interface MessageRow {
  mid: string;
  conversationId: string;
  customerId: string;
  body: string;
  frame: string;
  payload: string;
  now: number;
}

let midSeq = 0;
function messageRow(fx: Fixture, i: number): MessageRow {
  const c = fx.customers[i % fx.customers.length];
  if (c === undefined) throw new Error('no customers seeded');
  const now = Date.now();
  const mid = `m_${now.toString(16).padStart(12, '0')}${(midSeq++).toString(16).padStart(8, '0')}${randomBytes(8).toString('hex')}`;
  const text = `Your card limit is now 5,000 EUR #${i}`;
  return {
    mid,
    conversationId: c.conversationId,
    customerId: c.id,
    // A sealed body: version, key id, nonce, ciphertext and tag, base64.
    body: `v1.k1.${randomBytes(12 + 16 + 40 + text.length).toString('base64')}`,
    frame: JSON.stringify({
      type: 'message',
      message: {
        mid,
        conversation_id: c.conversationId,
        direction: 'out',
        created_at: now,
        body: { text },
        tag: null,
        persona: null,
      },
    }),
    payload: JSON.stringify({
      sender: { id: fx.pageId },
      recipient: { id: c.psid },
      timestamp: now,
      message: { is_echo: true, app_id: Number(fx.appId), mid, text },
    }),
    now,
  };
}

function sqliteFloor(file: string, fx: Fixture, loop: Loop): FloorResult {
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('cache_size = -65536');
  const insertMessage = db.prepare(
    `insert into messages (mid, conversation_id, direction, body, created_at, app_id, persona_id, messaging_type, tag) values (?, ?, 'out', ?, ?, ?, null, 'RESPONSE', null)`,
  );
  const touch = db.prepare('update conversations set last_message_at = ? where id = ?');
  const bump = db.prepare('update customers set event_seq = event_seq + 1 where id = ? returning event_seq');
  const insertEvent = db.prepare(
    `insert into customer_events (customer_id, seq, conversation_id, type, ref, data, created_at) values (?, ?, ?, 'message', ?, ?, ?)`,
  );
  const insertOutbox = db.prepare(
    `insert into webhook_outbox (app_id, page_id, conversation_id, field, payload, created_at, next_attempt_at, delivered_at, last_error) values (?, ?, ?, 'message_echoes', ?, ?, ?, null, null)`,
  );
  const group = db.transaction((rows: MessageRow[]) => {
    for (const r of rows) {
      insertMessage.run(r.mid, r.conversationId, r.body, r.now, fx.appId);
      touch.run(r.now, r.conversationId);
      const { event_seq: seq } = bump.get(r.customerId) as { event_seq: number };
      insertEvent.run(r.customerId, seq, r.conversationId, r.mid, r.frame, r.now);
      insertOutbox.run(fx.appId, fx.pageId, r.conversationId, r.payload, r.now, r.now);
    }
  });
  let i = 0;
  const nextGroup = () => Array.from({ length: loop.groupSize }, () => messageRow(fx, i++));
  try {
    const warmUntil = Date.now() + loop.warmupMs;
    while (Date.now() < warmUntil) group.immediate(nextGroup());
    let messages = 0;
    let commits = 0;
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    const until = Date.now() + loop.durationMs;
    while (Date.now() < until) {
      group.immediate(nextGroup());
      messages += loop.groupSize;
      commits++;
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    return result('sqlite', { groupSize: loop.groupSize, connections: 1, messages, commits, ms, cpu: cpu0 });
  } finally {
    db.close();
  }
}

async function postgresFloor(url: string, fx: Fixture, loop: Loop): Promise<FloorResult> {
  // Each connection writes to customers of its own (as the hub partitions its transactions in
  // flight by customer), and each group to distinct ones (one counter bump per customer per statement).
  const share = Math.floor(fx.customers.length / loop.connections);
  const distinct = Math.max(1, Math.min(loop.groupSize, share));
  const clients = await Promise.all(
    Array.from({ length: loop.connections }, async (_, k) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const mine: Fixture = { ...fx, customers: fx.customers.slice(k * share, (k + 1) * share) };
      let i = 0;
      return { client, next: () => Array.from({ length: distinct }, () => messageRow(mine, i++)) };
    }),
  );
  const loopUntil = async (until: number) => {
    let commits = 0;
    await Promise.all(
      clients.map(async ({ client, next }) => {
        while (Date.now() < until) {
          await writeGroup(client, fx, next());
          commits++;
        }
      }),
    );
    return commits;
  };
  try {
    await loopUntil(Date.now() + loop.warmupMs);
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    const commits = await loopUntil(Date.now() + loop.durationMs);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const connections = loop.connections;
    return result('postgres', {
      groupSize: distinct,
      connections,
      messages: commits * distinct,
      commits,
      ms,
      cpu: cpu0,
    });
  } finally {
    await Promise.all(clients.map(({ client }) => client.end()));
  }
}

/** One group: five set-based statements and a commit. */
async function writeGroup(client: pg.Client, fx: Fixture, rows: MessageRow[]): Promise<void> {
  const col = <K extends keyof MessageRow>(k: K) => rows.map((r) => r[k]);
  await client.query('begin');
  await client.query({
    name: 'floor-messages',
    text: `insert into messages (mid, conversation_id, direction, body, created_at, app_id, messaging_type)
           select m, c, 'out', b, n, $5, 'RESPONSE' from unnest($1::text[], $2::text[], $3::text[], $4::int8[]) as u(m, c, b, n)`,
    values: [col('mid'), col('conversationId'), col('body'), col('now'), fx.appId],
  });
  await client.query({
    name: 'floor-touch',
    text: 'update conversations set last_message_at = u.n from unnest($1::text[], $2::int8[]) as u(c, n) where id = u.c',
    values: [col('conversationId'), col('now')],
  });
  await client.query({
    name: 'floor-events',
    text: `with next as (update customers set event_seq = event_seq + 1 from unnest($1::text[]) as u(id) where customers.id = u.id returning customers.id, event_seq)
           insert into customer_events (customer_id, seq, conversation_id, type, ref, data, created_at)
           select u.id, next.event_seq, u.c, 'message', u.m, u.d, u.n from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[]) as u(id, c, m, d, n) join next on next.id = u.id`,
    values: [col('customerId'), col('conversationId'), col('mid'), col('frame'), col('now')],
  });
  await client.query({
    name: 'floor-outbox',
    text: `insert into webhook_outbox (app_id, page_id, conversation_id, field, payload, created_at, next_attempt_at)
           select $1, $2, c, 'message_echoes', p, n, n from unnest($3::text[], $4::text[], $5::int8[]) as u(c, p, n)`,
    values: [fx.appId, fx.pageId, col('conversationId'), col('payload'), col('now')],
  });
  await client.query('commit');
}

interface Measured {
  groupSize: number;
  connections: number;
  messages: number;
  commits: number;
  ms: number;
  /** process.cpuUsage() when the measured window began. */
  cpu: NodeJS.CpuUsage;
}

function result(dialect: FloorResult['dialect'], m: Measured): FloorResult {
  const cpu = process.cpuUsage(m.cpu);
  return {
    dialect,
    groupSize: m.groupSize,
    connections: m.connections,
    messages: m.messages,
    commits: m.commits,
    mps: round((m.messages / m.ms) * 1000, 0),
    usPerMessage: round((m.ms * 1000) / Math.max(1, m.messages), 1),
    cpuMsPerMessage: round((cpu.user + cpu.system) / 1000 / Math.max(1, m.messages), 4),
  };
}

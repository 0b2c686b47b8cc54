import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { verifyWebhookSignature } from '@confide/protocol';
import { loadConfig } from '../../config.js';
import { createHub, type Hub } from '../../hub.js';
import {
  DIALECTS,
  PG_URL,
  createPage,
  openConversation,
  signUp,
  testClock,
  type DialectName,
  type TestClock,
} from '../../../test/helpers.js';
import { WebhookWorker } from './worker.js';

// ---- a real webhook receiver on 127.0.0.1 -------------------------------------------

interface Delivery {
  raw: string;
  headers: http.IncomingHttpHeaders;
  body: { object: string; entry: Array<{ id: string; time: number; messaging?: Item[]; standby?: Item[] }> };
  /** Status the receiver answered. */
  status: number;
}
interface Item {
  sender: { id: string };
  recipient: { id: string };
  timestamp: number;
  message?: { mid: string; text?: string };
}
type Behaviour = (delivery: Omit<Delivery, 'status'>) => Promise<number> | number;

interface Receiver {
  url: string;
  deliveries: Delivery[];
  behave(b: Behaviour): void;
  /** Items of every request answered 2xx, in arrival order. */
  accepted(): Item[];
  stop(): Promise<void>;
  restart(): Promise<void>;
}

async function startReceiver(behaviour: Behaviour = () => 200): Promise<Receiver> {
  let behave = behaviour;
  const deliveries: Delivery[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const d = { raw, headers: req.headers, body: JSON.parse(raw) as Delivery['body'] };
      void Promise.resolve(behave(d)).then((status) => {
        deliveries.push({ ...d, status });
        res.statusCode = status;
        res.end(status === 200 ? 'EVENT_RECEIVED' : 'nope');
      });
    });
  });
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    deliveries,
    behave: (b) => void (behave = b),
    accepted: () =>
      deliveries.filter((d) => d.status < 300).flatMap((d) => d.body.entry.flatMap((e) => e.messaging ?? [])),
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
    async restart() {
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    },
  };
}

// ---- hubs that can be reopened on the same database --------------------------------

interface Place {
  dialect: DialectName;
  dataDir?: string;
  schema?: string;
}

async function newPlace(dialect: DialectName): Promise<Place> {
  if (dialect === 'sqlite') return { dialect, dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'confide-wh-')) };
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`create schema ${schema}`);
  await client.end();
  return { dialect, schema };
}

async function dropPlace(place: Place): Promise<void> {
  if (place.dataDir !== undefined) fs.rmSync(place.dataDir, { recursive: true, force: true });
  if (place.schema !== undefined) {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`drop schema ${place.schema} cascade`);
    await client.end();
  }
}

interface OpenOptions {
  clock?: TestClock;
  env?: Record<string, string>;
  logLines?: Array<Record<string, unknown>>;
}

async function openHub(place: Place, { clock, env, logLines }: OpenOptions = {}): Promise<Hub> {
  const databaseUrl =
    place.schema === undefined
      ? undefined
      : `${PG_URL}?options=${encodeURIComponent(`-c search_path=${place.schema}`)}`;
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: logLines === undefined ? 'silent' : 'info',
      PORT: '0',
      DATA_DIR: place.dataDir ?? './data-test',
      ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
      ...env,
    },
    () => undefined,
  );
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        logLines?.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const log = pino({ level: logLines === undefined ? 'silent' : 'info' }, sink);
  return createHub(config, { log, ...(clock ? { now: clock.now } : {}) });
}

const NO_WORKER = { SERVICES: 'api,realtime' };

async function say(hub: Hub, cookie: string, conversationId: string, text: string): Promise<string> {
  const res = await hub.app.inject({
    method: 'POST',
    url: `/api/conversations/${conversationId}/messages`,
    headers: { cookie },
    payload: { text },
  });
  if (res.statusCode !== 201) throw new Error(`send failed: ${res.statusCode} ${res.body}`);
  return res.json().mid as string;
}

async function psidOf(hub: Hub, conversationId: string): Promise<string> {
  const row = await hub.ctx.storage.db
    .selectFrom('conversations')
    .select('psid')
    .where('id', '=', conversationId)
    .executeTakeFirstOrThrow();
  return row.psid;
}

/** Per conversation (by PSID), the mids in the order the receiver accepted them. */
function midsBySender(items: Item[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const item of items) {
    const list = out.get(item.sender.id) ?? [];
    list.push(item.message?.mid ?? '?');
    out.set(item.sender.id, list);
  }
  return out;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function setUp(dialect: DialectName, options: OpenOptions = {}) {
  const place = await newPlace(dialect);
  cleanups.push(() => dropPlace(place));
  const hub = await openHub(place, options);
  cleanups.push(() => hub.close());
  return { place, hub };
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: webhook delivery`, () => {
    it('delivers a customer message as a Messenger envelope signed with both headers, and sends a delivery receipt', async () => {
      const clock = testClock();
      const receiver = await startReceiver();
      cleanups.push(() => receiver.stop());
      const { hub } = await setUp(dialect, { clock });
      const page = await createPage(hub, { webhookUrl: receiver.url, verifyToken: 'vt' });
      const alice = await signUp(hub);
      const conv = await openConversation(hub, alice.cookie, page.page_id);
      const mid = await say(hub, alice.cookie, conv.id, 'Grüße, 👋');

      // The hub's own worker wakes on `webhook.enqueued`.
      await vi.waitFor(() => expect(receiver.deliveries).toHaveLength(1), { timeout: 10_000 });
      const [d] = receiver.deliveries;
      const now = clock.now();
      const psid = await psidOf(hub, conv.id);
      expect(d?.body).toEqual({
        object: 'page',
        entry: [
          {
            id: page.page_id,
            time: now,
            messaging: [
              {
                sender: { id: psid },
                recipient: { id: page.page_id },
                timestamp: now,
                message: { mid, text: 'Grüße, 👋' },
              },
            ],
          },
        ],
      });
      // ASCII-escaped bytes (trap 7) with a JSON content type.
      expect(d?.raw).toMatch(/^[\x20-\x7e]+$/);
      expect(d?.raw).toContain('Gr\\u00fc\\u00dfe, \\ud83d\\udc4b');
      expect(d?.headers['content-type']).toBe('application/json');
      // Both signatures are valid over the exact bytes (trap 1).
      const sha256 = await verifyWebhookSignature(
        d?.raw ?? '',
        { 'x-hub-signature-256': d?.headers['x-hub-signature-256'] },
        page.app_secret,
      );
      const sha1 = await verifyWebhookSignature(
        d?.raw ?? '',
        { 'x-hub-signature': d?.headers['x-hub-signature'] },
        page.app_secret,
      );
      expect(sha256).toEqual({ valid: true, algorithm: 'sha256' });
      expect(sha1).toEqual({ valid: true, algorithm: 'sha1' });
      expect(await verifyWebhookSignature(d?.raw ?? '', d?.headers ?? {}, 'wrong-secret')).toEqual({
        valid: false,
        reason: 'mismatch',
      });

      // Delivery receipt: watermark advanced and a persisted receipt frame for the customer.
      await vi.waitFor(
        async () => {
          const c = await hub.ctx.storage.db
            .selectFrom('conversations')
            .select('page_delivered_wm')
            .where('id', '=', conv.id)
            .executeTakeFirstOrThrow();
          expect(c.page_delivered_wm).toBe(now);
        },
        { timeout: 10_000 },
      );
      const receipts = await hub.ctx.storage.db
        .selectFrom('customer_events')
        .select('data')
        .where('customer_id', '=', alice.id)
        .where('type', '=', 'receipt')
        .execute();
      expect(receipts.map((r) => JSON.parse(r.data))).toEqual([
        { type: 'receipt', conversation_id: conv.id, side: 'page', kind: 'delivery', watermark: now },
      ]);
      const row = await hub.ctx.storage.db.selectFrom('webhook_outbox').selectAll().executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        delivered_at: now,
        attempts: 1,
        leased_until: null,
        lease_owner: null,
        last_error: null,
      });
    });

    it('batches the events waiting for one app into one POST, in order, up to WEBHOOK_BATCH_SIZE', async () => {
      const clock = testClock();
      const receiver = await startReceiver();
      cleanups.push(() => receiver.stop());
      // One batch in flight: the app's events in id order across conversations.
      const env = { ...NO_WORKER, WEBHOOK_BATCH_SIZE: '4', WEBHOOK_BATCHES_PER_APP: '1' };
      const { hub } = await setUp(dialect, { clock, env });
      const worker = new WebhookWorker(hub.ctx, hub.services.pages);
      const page = await createPage(hub, { webhookUrl: receiver.url, verifyToken: 'vt' });
      const alice = await signUp(hub);
      const bob = await signUp(hub);
      const ca = await openConversation(hub, alice.cookie, page.page_id);
      const cb = await openConversation(hub, bob.cookie, page.page_id);
      const sent: string[] = [];
      for (let i = 0; i < 3; i++) {
        sent.push(await say(hub, alice.cookie, ca.id, `a${i}`));
        sent.push(await say(hub, bob.cookie, cb.id, `b${i}`));
      }
      await worker.runOnce();
      expect(receiver.deliveries.map((d) => d.body.entry.flatMap((e) => e.messaging ?? []).length)).toEqual([4, 2]);
      expect(receiver.accepted().map((i) => i.message?.mid)).toEqual(sent);
      expect(receiver.deliveries[0]?.body.entry).toHaveLength(1);
    });

    it('retries a receiver that answers 500 and then refuses connections, and delivers everything in order once it is back', async () => {
      const clock = testClock();
      const receiver = await startReceiver(() => 500);
      cleanups.push(() => receiver.stop());
      const { hub } = await setUp(dialect, { clock, env: NO_WORKER });
      // Jitter fixed at half the window: the first retry waits 500 ms.
      const worker = new WebhookWorker(hub.ctx, hub.services.pages, { random: () => 0.5 });
      const page = await createPage(hub, { webhookUrl: receiver.url, verifyToken: 'vt' });
      const alice = await signUp(hub);
      const bob = await signUp(hub);
      const ca = await openConversation(hub, alice.cookie, page.page_id);
      const cb = await openConversation(hub, bob.cookie, page.page_id);
      const expected = new Map<string, string[]>([
        [await psidOf(hub, ca.id), []],
        [await psidOf(hub, cb.id), []],
      ]);
      const send = async (who: 'a' | 'b', text: string) => {
        const [user, conv] = who === 'a' ? [alice, ca] : [bob, cb];
        expected.get(await psidOf(hub, conv.id))?.push(await say(hub, user.cookie, conv.id, text));
        clock.advance(1);
      };
      await send('a', 'a1');
      await send('b', 'b1');
      await worker.runOnce();
      // Two conversations, two batches in flight at once: both fail.
      expect(receiver.deliveries.map((d) => d.status)).toEqual([500, 500]);
      let status = await hub.services.webhooks.status(page.page_id);
      expect(status).toMatchObject({ pending: 2, delivered: 0, last_error: 'HTTP 500', status: 'active' });

      // Not due yet: a second run right away does nothing (the backoff is in the outbox).
      await send('a', 'a2');
      await worker.runOnce();
      expect(receiver.deliveries).toHaveLength(2);
      await receiver.stop();
      clock.advance(10 * 60_000);
      await worker.runOnce();
      status = await hub.services.webhooks.status(page.page_id);
      expect(status).toMatchObject({ pending: 3, last_error: expect.stringMatching(/^connection (refused|reset)$/) });

      await send('b', 'b2');
      await send('a', 'a3');
      receiver.behave(() => 200);
      await receiver.restart();
      clock.advance(10 * 60_000);
      await worker.runOnce();
      expect(midsBySender(receiver.accepted())).toEqual(expected);
      status = await hub.services.webhooks.status(page.page_id);
      expect(status).toMatchObject({ pending: 0, delivered: 5, failing_since: null });
    });

    it('loses nothing when the hub restarts while the receiver is failing', async () => {
      const clock = testClock();
      const receiver = await startReceiver(() => 503);
      cleanups.push(() => receiver.stop());
      const place = await newPlace(dialect);
      cleanups.push(() => dropPlace(place));
      const first = await openHub(place, { clock });
      const page = await createPage(first, { webhookUrl: receiver.url, verifyToken: 'vt' });
      const alice = await signUp(first);
      const conv = await openConversation(first, alice.cookie, page.page_id);
      const mids: string[] = [];
      for (let i = 0; i < 5; i++) mids.push(await say(first, alice.cookie, conv.id, `m${i}`));
      await vi.waitFor(() => expect(receiver.deliveries.length).toBeGreaterThan(0), { timeout: 10_000 });
      await first.close();

      receiver.behave(() => 200);
      clock.advance(10 * 60_000);
      const second = await openHub(place, { clock });
      cleanups.push(() => second.close());
      mids.push(await say(second, alice.cookie, conv.id, 'after restart'));
      await vi.waitFor(() => expect(receiver.accepted().map((i) => i.message?.mid)).toEqual(mids), { timeout: 10_000 });
      // The receiver logs a POST before the hub has recorded its success: wait for that too.
      await vi.waitFor(
        async () =>
          expect(await second.services.webhooks.status(page.page_id)).toMatchObject({ pending: 0, delivered: 6 }),
        {
          timeout: 10_000,
        },
      );
    });

    it('keeps delivering to other apps while one receiver takes 3 s to answer', async () => {
      const slow = await startReceiver(async () => {
        await new Promise((r) => setTimeout(r, 3_000));
        return 200;
      });
      const fast = await startReceiver();
      cleanups.push(
        () => slow.stop(),
        () => fast.stop(),
      );
      const { hub } = await setUp(dialect);
      const slowPage = await createPage(hub, { webhookUrl: slow.url, verifyToken: 'vt' });
      const fastPage = await createPage(hub, { webhookUrl: fast.url, verifyToken: 'vt' });
      const alice = await signUp(hub);
      const cs = await openConversation(hub, alice.cookie, slowPage.page_id);
      const cf = await openConversation(hub, alice.cookie, fastPage.page_id);
      await say(hub, alice.cookie, cs.id, 'to the slow one');
      await say(hub, alice.cookie, cf.id, 'to the fast one');
      await say(hub, alice.cookie, cs.id, 'slow again');
      await say(hub, alice.cookie, cf.id, 'fast again');
      // Both fast events arrive while the slow receiver has not answered its first POST.
      await vi.waitFor(() => expect(fast.accepted()).toHaveLength(2), { timeout: 10_000 });
      expect(slow.deliveries).toHaveLength(0);
      await vi.waitFor(
        () => expect(slow.accepted().map((i) => i.message?.text)).toEqual(['to the slow one', 'slow again']),
        { timeout: 15_000 },
      );
    }, 60_000);

    it('logs an alert and raises the failing-apps gauge after 15 minutes of continuous failure', async () => {
      const clock = testClock();
      const logLines: Array<Record<string, unknown>> = [];
      const receiver = await startReceiver(() => 500);
      cleanups.push(() => receiver.stop());
      const { hub } = await setUp(dialect, { clock, env: NO_WORKER, logLines });
      // No jitter: every retry is due at once, so only the failure clock decides.
      const worker = new WebhookWorker(hub.ctx, hub.services.pages, { random: () => 0 });
      const page = await createPage(hub, { webhookUrl: receiver.url, verifyToken: 'vt' });
      const alice = await signUp(hub);
      const conv = await openConversation(hub, alice.cookie, page.page_id);
      await say(hub, alice.cookie, conv.id, 'hello?');
      const alerts = () => logLines.filter((l) => l['level'] === 40 && l['appId'] === page.app_id);
      const gauge = async () => (await hub.ctx.metrics.webhookFailingApps.get()).values[0]?.value;

      await worker.runOnce();
      clock.advance(14 * 60_000 + 59_000);
      await worker.runOnce();
      expect(receiver.deliveries).toHaveLength(2);
      expect(alerts()).toHaveLength(0);
      expect(await gauge()).toBe(0);

      clock.advance(1_000);
      await worker.runOnce();
      expect(alerts()).toHaveLength(1);
      expect(alerts()[0]).toMatchObject({
        appId: page.app_id,
        pageId: page.page_id,
        error: 'HTTP 500',
        msg: 'webhook failing for 15 minutes',
      });
      expect(await gauge()).toBe(1);
      expect((await hub.services.webhooks.status(page.page_id)).alerted_at).toBe(new Date(clock.now()).toISOString());

      // Alerts once per failure run; a success clears it.
      clock.advance(60_000);
      await worker.runOnce();
      expect(alerts()).toHaveLength(1);
      receiver.behave(() => 200);
      clock.advance(5 * 60_000);
      await worker.runOnce();
      expect(await gauge()).toBe(0);
      expect(await hub.services.webhooks.status(page.page_id)).toMatchObject({
        pending: 0,
        failing_since: null,
        alerted_at: null,
      });
      const counts = await hub.ctx.metrics.webhookDeliveries.get();
      expect(Object.fromEntries(counts.values.map((v) => [v.labels['result'], v.value]))).toEqual({
        failure: 4,
        success: 1,
      });
    });

    it('disables the subscription after WEBHOOK_DISABLE_AFTER_MS, keeps events, and resumes on enable', async () => {
      const clock = testClock();
      const receiver = await startReceiver(() => 500);
      cleanups.push(() => receiver.stop());
      const { hub } = await setUp(dialect, { clock, env: { ...NO_WORKER, WEBHOOK_DISABLE_AFTER_MS: '1800000' } });
      const worker = new WebhookWorker(hub.ctx, hub.services.pages);
      const page = await createPage(hub, { webhookUrl: receiver.url, verifyToken: 'vt' });
      const alice = await signUp(hub);
      const conv = await openConversation(hub, alice.cookie, page.page_id);
      const mids = [await say(hub, alice.cookie, conv.id, 'one')];
      await worker.runOnce();
      clock.advance(29 * 60_000);
      await worker.runOnce();
      expect((await hub.services.webhooks.status(page.page_id)).status).toBe('active');
      clock.advance(60_000);
      await worker.runOnce();
      expect(await hub.services.webhooks.status(page.page_id)).toMatchObject({
        status: 'disabled',
        disabled_at: new Date(clock.now()).toISOString(),
      });

      // Disabled: events still accumulate, nothing is posted even when due and the receiver is back.
      receiver.behave(() => 200);
      mids.push(await say(hub, alice.cookie, conv.id, 'two'));
      const attempts = receiver.deliveries.length;
      clock.advance(60 * 60_000);
      await worker.runOnce();
      expect(receiver.deliveries).toHaveLength(attempts);
      expect(await hub.services.webhooks.status(page.page_id)).toMatchObject({ pending: 2, status: 'disabled' });

      const enabled = await hub.services.webhooks.enable(page.page_id);
      expect(enabled).toMatchObject({ status: 'active', failing_since: null, disabled_at: null });
      await worker.runOnce();
      expect(receiver.accepted().map((i) => i.message?.mid)).toEqual(mids);
    });

    it('keeps a batch leased while its worker waits on a receiver for longer than WEBHOOK_LEASE_MS: no other worker posts it', async () => {
      let posts = 0;
      const receiver = await startReceiver(async () => {
        posts += 1;
        await new Promise((r) => setTimeout(r, 2_000));
        return 200;
      });
      cleanups.push(() => receiver.stop());
      const { hub } = await setUp(dialect, { env: { ...NO_WORKER, WEBHOOK_LEASE_MS: '450' } });
      const a = new WebhookWorker(hub.ctx, hub.services.pages, { owner: 'A' });
      const b = new WebhookWorker(hub.ctx, hub.services.pages, { owner: 'B' });
      const page = await createPage(hub, { webhookUrl: receiver.url, verifyToken: 'vt' });
      const alice = await signUp(hub);
      const conv = await openConversation(hub, alice.cookie, page.page_id);
      await say(hub, alice.cookie, conv.id, 'slow answer');

      const first = a.runOnce();
      await vi.waitFor(() => expect(posts).toBe(1), { timeout: 5_000 });
      // Worker B looks for due work over about four of A's leases while A is waiting.
      for (const end = Date.now() + 1_800; Date.now() < end;) {
        await b.runOnce();
        await new Promise((r) => setTimeout(r, 50));
      }
      await first;
      expect(posts).toBe(1);
      expect(receiver.accepted().map((i) => i.message?.text)).toEqual(['slow answer']);
      const row = await hub.ctx.storage.db.selectFrom('webhook_outbox').selectAll().executeTakeFirstOrThrow();
      expect(row).toMatchObject({ attempts: 1, leased_until: null, lease_owner: null });
      expect(row.delivered_at).not.toBeNull();
    }, 30_000);

    it('abandons a POST whose lease another worker has taken (this one stalled past it) and leaves the rows to that worker', async () => {
      let posts = 0;
      const receiver = await startReceiver(() => {
        posts += 1;
        return new Promise<number>(() => undefined);
      });
      cleanups.push(() => receiver.stop());
      const { hub } = await setUp(dialect, {
        env: { ...NO_WORKER, WEBHOOK_LEASE_MS: '600', WEBHOOK_TIMEOUT_MS: '60000' },
      });
      const a = new WebhookWorker(hub.ctx, hub.services.pages, { owner: 'A' });
      const page = await createPage(hub, { webhookUrl: receiver.url, verifyToken: 'vt' });
      const alice = await signUp(hub);
      const conv = await openConversation(hub, alice.cookie, page.page_id);
      await say(hub, alice.cookie, conv.id, 'never answered');

      const running = a.runOnce();
      await vi.waitFor(() => expect(posts).toBe(1), { timeout: 5_000 });
      // As if A's lease had run out while it stalled and worker B had claimed the batch.
      const leasedUntil = Date.now() + 60_000;
      await hub.ctx.storage.writes.run((tx) =>
        tx.db.updateTable('webhook_outbox').set({ lease_owner: 'B', leased_until: leasedUntil }).execute(),
      );
      const stolenAt = Date.now();
      await running;
      // A's next renewal (every 200 ms) finds the lease gone and aborts its POST.
      expect(Date.now() - stolenAt).toBeLessThan(2_000);
      const row = await hub.ctx.storage.db.selectFrom('webhook_outbox').selectAll().executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        lease_owner: 'B',
        leased_until: leasedUntil,
        attempts: 0,
        delivered_at: null,
        last_error: null,
      });
    }, 30_000);

    it('keeps each conversation in order with several batches in flight while the receiver fails, then recovers', async () => {
      // In-flight POSTs by the conversations they carry: two at once must never share one.
      const open = new Set<Set<string>>();
      let overlaps = 0;
      let mostAtOnce = 0;
      let posts = 0;
      const receiver = await startReceiver(async (d) => {
        posts += 1;
        const senders = new Set(d.body.entry.flatMap((e) => (e.messaging ?? []).map((i) => i.sender.id)));
        for (const other of open) if ([...senders].some((s) => other.has(s))) overlaps += 1;
        open.add(senders);
        mostAtOnce = Math.max(mostAtOnce, open.size);
        await new Promise((r) => setTimeout(r, 5 + (posts % 4) * 5));
        open.delete(senders);
        // The first eight POSTs fail, then one in four until the receiver recovers.
        return posts <= 8 || (posts < 30 && posts % 4 === 0) ? 500 : 200;
      });
      cleanups.push(() => receiver.stop());
      const env = {
        ...NO_WORKER,
        WEBHOOK_BATCH_SIZE: '3',
        WEBHOOK_BATCHES_PER_APP: '4',
        WEBHOOK_RETRY_BASE_MS: '5',
        WEBHOOK_RETRY_CAP_MS: '20',
      };
      const { hub } = await setUp(dialect, { env });
      const worker = new WebhookWorker(hub.ctx, hub.services.pages);
      const page = await createPage(hub, { webhookUrl: receiver.url, verifyToken: 'vt' });
      const people = await Promise.all(Array.from({ length: 6 }, () => signUp(hub)));
      const convs = [];
      for (const p of people) {
        const conv = await openConversation(hub, p.cookie, page.page_id);
        convs.push({ cookie: p.cookie, id: conv.id, psid: await psidOf(hub, conv.id) });
      }
      const expected = new Map<string, string[]>(convs.map((c) => [c.psid, []]));
      for (let round = 0; round < 5; round++) {
        for (const c of convs) expected.get(c.psid)?.push(await say(hub, c.cookie, c.id, `r${round}`));
        // Deliveries run while customers keep writing.
        if (round === 2) await worker.runOnce();
      }
      const pending = async () =>
        Number(
          (
            await hub.ctx.storage.db
              .selectFrom('webhook_outbox')
              .select((eb) => eb.fn.countAll().as('n'))
              .where('delivered_at', 'is', null)
              .executeTakeFirstOrThrow()
          ).n,
        );
      while ((await pending()) > 0) {
        await worker.runOnce();
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(receiver.deliveries.filter((d) => d.status === 500).length).toBeGreaterThanOrEqual(8);
      expect(midsBySender(receiver.accepted())).toEqual(expected);
      expect(overlaps).toBe(0);
      expect(mostAtOnce).toBeGreaterThan(1);
    }, 60_000);

    it('delivers again, in order, a batch whose mark-delivered never committed (killed between the POST and the mark)', async () => {
      const clock = testClock();
      const receiver = await startReceiver();
      cleanups.push(() => receiver.stop());
      const env = { ...NO_WORKER, WEBHOOK_BATCH_SIZE: '2', WEBHOOK_BATCHES_PER_APP: '2', WEBHOOK_LEASE_MS: '1000' };
      const { hub } = await setUp(dialect, { clock, env });
      const page = await createPage(hub, { webhookUrl: receiver.url, verifyToken: 'vt' });
      const alice = await signUp(hub);
      const bob = await signUp(hub);
      const ca = await openConversation(hub, alice.cookie, page.page_id);
      const cb = await openConversation(hub, bob.cookie, page.page_id);
      const expected = new Map<string, string[]>([
        [await psidOf(hub, ca.id), []],
        [await psidOf(hub, cb.id), []],
      ]);
      for (let i = 0; i < 3; i++) {
        expected.get(await psidOf(hub, ca.id))?.push(await say(hub, alice.cookie, ca.id, `a${i}`));
        expected.get(await psidOf(hub, cb.id))?.push(await say(hub, bob.cookie, cb.id, `b${i}`));
      }
      // The process dies after the receiver answered and before the mark commits: every mark fails.
      const db = hub.ctx.storage.db;
      if (dialect === 'sqlite') {
        await sql`create trigger killed before update of delivered_at on webhook_outbox
          when new.delivered_at is not null begin select raise(abort, 'killed before the mark'); end`.execute(db);
      } else {
        await sql`create function killed() returns trigger language plpgsql as
          $$ begin raise exception 'killed before the mark'; end $$`.execute(db);
        await sql`create trigger killed before update of delivered_at on webhook_outbox for each row
          when (new.delivered_at is not null) execute function killed()`.execute(db);
      }
      await new WebhookWorker(hub.ctx, hub.services.pages, { owner: 'A' }).runOnce();
      const firstTime = receiver.accepted().map((i) => i.message?.text);
      expect([...firstTime].sort()).toEqual(['a0', 'a1', 'b0', 'b1']);
      const marked = await db.selectFrom('webhook_outbox').select('id').where('delivered_at', 'is not', null).execute();
      expect(marked).toEqual([]);

      await sql`drop trigger killed${sql.raw(dialect === 'postgres' ? ' on webhook_outbox' : '')}`.execute(db);
      // Restarted: the dead worker's leases hold until they run out, then everything goes again.
      const restarted = new WebhookWorker(hub.ctx, hub.services.pages, { owner: 'B' });
      await restarted.runOnce();
      expect(receiver.accepted()).toHaveLength(4);
      clock.advance(1_001);
      await restarted.runOnce();
      await restarted.runOnce();
      const again = receiver.accepted().slice(4);
      const after = midsBySender(again);
      expect(after).toEqual(expected);
      const left = await db.selectFrom('webhook_outbox').select('id').where('delivered_at', 'is', null).execute();
      expect(left).toEqual([]);
    });

    it('marks a batch delivered and moves each conversation delivered watermark once, never back', async () => {
      const clock = testClock();
      const receiver = await startReceiver();
      cleanups.push(() => receiver.stop());
      const env = { ...NO_WORKER, WEBHOOK_BATCH_SIZE: '10', WEBHOOK_BATCHES_PER_APP: '1' };
      const { hub } = await setUp(dialect, { clock, env });
      const worker = new WebhookWorker(hub.ctx, hub.services.pages);
      const page = await createPage(hub, { webhookUrl: receiver.url, verifyToken: 'vt' });
      const people = await Promise.all([signUp(hub), signUp(hub), signUp(hub)]);
      const convs = [];
      for (const p of people) convs.push(await openConversation(hub, p.cookie, page.page_id));
      const last = new Map<string, number>();
      for (let i = 0; i < 2; i++) {
        for (const [k, c] of convs.entries()) {
          await say(hub, people[k]?.cookie ?? '', c.id, `m${i}`);
          last.set(c.id, clock.now());
          clock.advance(10);
        }
      }
      const db = hub.ctx.storage.db;
      // The third conversation's watermark is already ahead: it must not move back.
      const ahead = convs[2]?.id ?? '';
      await hub.ctx.storage.writes.run((tx) =>
        tx.db.updateTable('conversations').set({ page_delivered_wm: 9e12 }).where('id', '=', ahead).execute(),
      );
      await worker.runOnce();
      expect(receiver.deliveries).toHaveLength(1);
      expect(receiver.accepted()).toHaveLength(6);
      const rows = await db.selectFrom('webhook_outbox').select(['delivered_at', 'attempts', 'lease_owner']).execute();
      expect(rows).toEqual(
        Array.from({ length: 6 }, () => ({ delivered_at: clock.now(), attempts: 1, lease_owner: null })),
      );
      const wm = await db.selectFrom('conversations').select(['id', 'page_delivered_wm']).execute();
      expect(new Map(wm.map((r) => [r.id, r.page_delivered_wm]))).toEqual(
        new Map([...convs.map((c) => [c.id, c.id === ahead ? 9e12 : last.get(c.id)] as const)]),
      );
      const receipts = await db
        .selectFrom('customer_events')
        .select(['customer_id', 'data'])
        .where('type', '=', 'receipt')
        .orderBy('customer_id')
        .execute();
      const expectedReceipts = people
        .map((p, k) => ({ p, c: convs[k] }))
        .filter(({ c }) => c?.id !== ahead)
        .map(({ p, c }) => ({
          customer_id: p.id,
          data: {
            type: 'receipt',
            conversation_id: c?.id,
            side: 'page',
            kind: 'delivery',
            watermark: last.get(c?.id ?? ''),
          },
        }))
        .sort((x, y) => (x.customer_id < y.customer_id ? -1 : 1));
      expect(receipts.map((r) => ({ customer_id: r.customer_id, data: JSON.parse(r.data) as unknown }))).toEqual(
        expectedReceipts,
      );
    });

    it('records a delivered batch in one set-based write job holding its customers’ partitions, signed with the secrets its claim read', async () => {
      const clock = testClock();
      const receiver = await startReceiver();
      cleanups.push(() => receiver.stop());
      const env = { ...NO_WORKER, WEBHOOK_BATCH_SIZE: '2', WEBHOOK_BATCHES_PER_APP: '1' };
      const { hub } = await setUp(dialect, { clock, env });
      const worker = new WebhookWorker(hub.ctx, hub.services.pages);
      const page = await createPage(hub, { webhookUrl: receiver.url, verifyToken: 'vt' });
      const people = await Promise.all([signUp(hub), signUp(hub)]);
      const convs = [];
      for (const p of people) convs.push(await openConversation(hub, p.cookie, page.page_id));
      for (const [k, c] of convs.entries()) await say(hub, people[k]?.cookie ?? '', c.id, 'first');
      clock.advance(10);
      for (const [k, c] of convs.entries()) await say(hub, people[k]?.cookie ?? '', c.id, 'second');
      const run = vi.spyOn(hub.ctx.storage.writes, 'run');
      const secretsRead = vi.spyOn(hub.services.pages, 'webhookSecrets');
      // The secret changes after the first batch's claim: the next claim reads the new one.
      let rotated: string | undefined;
      receiver.behave(async () => {
        rotated ??= (await hub.services.pages.rotateAppSecret(page.page_id)).app_secret;
        return 200;
      });
      await worker.runOnce();

      expect(receiver.deliveries.map((d) => d.body.entry.flatMap((e) => e.messaging ?? []).length)).toEqual([2, 2]);
      const signedWith = async (k: number, secret: string) =>
        (
          await verifyWebhookSignature(
            receiver.deliveries[k]?.raw ?? '',
            { 'x-hub-signature-256': receiver.deliveries[k]?.headers['x-hub-signature-256'] },
            secret,
          )
        ).valid;
      expect([await signedWith(0, page.app_secret), await signedWith(1, rotated ?? '')]).toEqual([true, true]);
      // No read of the app per POST: the claim read its sealed secrets with its row.
      expect(secretsRead).not.toHaveBeenCalled();
      // Each batch's outcome is one set-based job holding the partitions of the customers it may write receipts for.
      const outcomes = run.mock.calls.filter(([, options]) => options?.setBased === true);
      expect(outcomes.map(([, options]) => [...(options?.partition as string[])].sort())).toEqual([
        people.map((p) => p.id).sort(),
        people.map((p) => p.id).sort(),
      ]);
      const receipts = await hub.ctx.storage.db
        .selectFrom('customer_events')
        .select(['customer_id', 'data'])
        .where('type', '=', 'receipt')
        .execute();
      expect(receipts).toHaveLength(4);
      const rows = await hub.ctx.storage.db.selectFrom('webhook_outbox').select(['delivered_at', 'attempts']).execute();
      expect(rows).toEqual(Array.from({ length: 4 }, () => ({ delivered_at: clock.now(), attempts: 1 })));
    });
  });
}

if (DIALECTS.includes('postgres')) {
  describe('postgres: several workers on one database', () => {
    it('never delivers the same event twice and keeps each conversation in order', async () => {
      const env = {
        ...NO_WORKER,
        WEBHOOK_RETRY_BASE_MS: '5',
        WEBHOOK_RETRY_CAP_MS: '20',
        WEBHOOK_BATCH_SIZE: '4',
        WEBHOOK_BATCHES_PER_APP: '3',
      };
      const place = await newPlace('postgres');
      cleanups.push(() => dropPlace(place));
      const hubA = await openHub(place, { env });
      cleanups.push(() => hubA.close());
      const hubB = await openHub(place, { env });
      cleanups.push(() => hubB.close());
      const workers = [
        new WebhookWorker(hubA.ctx, hubA.services.pages, { owner: 'A' }),
        new WebhookWorker(hubB.ctx, hubB.services.pages, { owner: 'B' }),
        new WebhookWorker(hubB.ctx, hubB.services.pages, { owner: 'C' }),
      ];
      let n = 0;
      // A jittery receiver that fails one request in five, so retries overlap with claims.
      const receiver = await startReceiver(async () => {
        n += 1;
        await new Promise((r) => setTimeout(r, n % 3));
        return n % 5 === 0 ? 500 : 200;
      });
      cleanups.push(() => receiver.stop());

      const expected = new Map<string, string[]>();
      const customers = await Promise.all([signUp(hubA), signUp(hubA), signUp(hubA)]);
      const pages = await Promise.all(
        [0, 1, 2, 3].map(() => createPage(hubA, { webhookUrl: receiver.url, verifyToken: 'vt' })),
      );
      const convs: Array<{ cookie: string; id: string; psid: string }> = [];
      for (const c of customers) {
        for (const p of pages) {
          const conv = await openConversation(hubA, c.cookie, p.page_id);
          const psid = await psidOf(hubA, conv.id);
          convs.push({ cookie: c.cookie, id: conv.id, psid });
          expected.set(psid, []);
        }
      }
      const running = (async () => {
        for (let round = 0; round < 10; round++) {
          await Promise.all(
            convs.map(async (c) => {
              const mid = await say(hubA, c.cookie, c.id, `r${round}`);
              expected.get(c.psid)?.push(mid);
            }),
          );
          await Promise.all(workers.map((w) => w.runOnce()));
        }
      })();
      await running;
      const pending = async () =>
        Number(
          (
            await hubA.ctx.storage.db
              .selectFrom('webhook_outbox')
              .select((eb) => eb.fn.countAll().as('n'))
              .where('delivered_at', 'is', null)
              .executeTakeFirstOrThrow()
          ).n,
        );
      while ((await pending()) > 0) {
        await Promise.all(workers.map((w) => w.runOnce()));
        await new Promise((r) => setTimeout(r, 5));
      }
      const accepted = receiver.accepted();
      const mids = accepted.map((i) => i.message?.mid);
      expect(accepted).toHaveLength(120);
      expect(new Set(mids).size).toBe(120);
      expect(midsBySender(accepted)).toEqual(expected);
    }, 60_000);
  });
}

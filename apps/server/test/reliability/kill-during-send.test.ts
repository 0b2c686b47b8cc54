/**
 * `kill -9` of a hub process in the middle of a Send API load (real processes, SQLite
 * file, a real webhook receiver). After restart: every message the API acknowledged is
 * stored and reaches the customer's stream exactly once (cursor 0, deduplicated by mid:
 * no duplicates, none missing), and its echo webhook is delivered at least once, in order.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ServerFrame } from '@confide/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { PROCESS_VARIANTS } from '../helpers.js';
import { createSharedSchema, StreamClient } from '../scale/scale-helpers.js';
import {
  api,
  createPageWithWebhook,
  customerWhoWrote,
  firstArrivals,
  psidFrom,
  sendText,
  startHubProcess,
  startReceiver,
  stopProcess,
  type Receiver,
} from './harness.js';

const ENV = {
  SEND_RATE_LIMIT_PER_PAGE: '100000',
  WEBHOOK_POLL_MS: '100',
  WEBHOOK_RETRY_BASE_MS: '50',
  WEBHOOK_RETRY_CAP_MS: '500',
  WEBHOOK_BATCH_SIZE: '20',
  // A batch leased by the killed process is retried once its lease (WEBHOOK_LEASE_MS, 10 s) runs out.
  WEBHOOK_TIMEOUT_MS: '2000',
};
const SENDERS = 12;
/** Acknowledged sends before the kill. */
const BEFORE_KILL = 250;

describe.each(PROCESS_VARIANTS)('$name: kill -9 during a Send API load', ({ dialect, env: variantEnv }) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-kill-'));
  let receiver: Receiver | undefined;
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await receiver?.stop().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged message, streams each exactly once and delivers its webhook in order', async () => {
    receiver = await startReceiver();
    const env: Record<string, string> = { ...ENV, ...variantEnv };
    const where = ['--data-dir', dataDir];
    if (dialect === 'postgres') {
      const schema = await createSharedSchema();
      cleanups.push(() => schema.drop());
      env['DATABASE_URL'] = schema.url;
      where.push('--database-url', schema.url);
    }
    let hub = await startHubProcess(dataDir, env);
    cleanups.push(() => stopProcess(hub.child));
    const page = await createPageWithWebhook(receiver, 'Kill Bank', where);
    const customer = await customerWhoWrote(hub.url, 'killcustomer', [page.page_id]);
    const psid = await psidFrom(receiver);
    // A receiver that takes a moment, so a delivery is likely in flight when the hub dies.
    receiver.behave(() => new Promise((r) => setTimeout(() => r(200), 15)));

    // Load: concurrent senders until the kill; a send that errors was not acknowledged.
    const acked: string[] = [];
    let stop = false;
    const url = hub.url;
    const senders = Array.from({ length: SENDERS }, async (_, w) => {
      for (let i = 0; !stop && i < 5_000; i++) {
        try {
          const res = await sendText(url, page.page_access_token, psid, `s${w}-${i}`);
          if (res.mid !== undefined) acked.push(res.mid);
        } catch {
          if (stop) return;
        }
      }
    });
    await receiver.waitFor(() => acked.length >= BEFORE_KILL);
    await stopProcess(hub.child, 'SIGKILL');
    stop = true;
    await Promise.all(senders);
    const ackedAtKill = acked.length;

    hub = await startHubProcess(dataDir, env);
    const login = await api(`${hub.url}/api/login`, 'POST', {
      username: 'killcustomer',
      password: 'long enough secret',
    });
    expect(login.status).toBe(200);

    // The stream from cursor 0 replays everything, then says ready.
    const stream = new StreamClient(hub.url, login.cookie as string, 0);
    cleanups.push(() => stream.close());
    await stream.ready();
    const streamed = stream.frames.flatMap((f: ServerFrame) => (f.type === 'message' ? [f.message.mid] : []));
    const unique = new Set(streamed);
    expect(streamed.length - unique.size).toBe(0);
    expect(acked.filter((mid) => !unique.has(mid))).toEqual([]);

    // The history API agrees with the stream.
    const history = await api(
      `${hub.url}/api/conversations/${customer.conversations[0]}/messages?limit=200`,
      'GET',
      undefined,
      login.cookie,
    );
    expect(history.status).toBe(200);

    // Every acknowledged message's echo arrives at least once; first arrivals follow stream order.
    const wanted = new Set(acked);
    await receiver.waitFor(
      () => firstArrivals(receiver?.accepted() ?? []).filter((m) => wanted.has(m)).length === wanted.size,
    );
    const streamOrder = streamed.filter((m) => wanted.has(m));
    const deliveredOrder = firstArrivals(receiver.accepted()).filter((m) => wanted.has(m));
    expect(deliveredOrder).toEqual(streamOrder);
    // Every webhook ever delivered is for a stored message (nothing invented by the crash).
    expect(firstArrivals(receiver.accepted()).filter((m) => !unique.has(m))).toEqual([]);
    expect(receiver.deliveries.every((d) => d.signed)).toBe(true);

    const redelivered =
      receiver.accepted().filter((i) => i.message !== undefined).length - firstArrivals(receiver.accepted()).length;
    process.stdout.write(
      `kill -9: ${ackedAtKill} acknowledged, ${unique.size} streamed, ${redelivered} webhook events redelivered\n`,
    );
  }, 90_000);
});

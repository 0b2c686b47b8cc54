/**
 * Webhook delivery at process level (real hub process, real receivers on 127.0.0.1):
 * a receiver that is down for a while gets everything, in order, once it is back; a
 * receiver that hangs or answers 500 does not hold up another app's receiver.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
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
  WEBHOOK_RETRY_CAP_MS: '400',
  WEBHOOK_BATCH_SIZE: '10',
  // Long enough that a hung receiver stays hung for the whole phase (no timing in the assertions).
  WEBHOOK_TIMEOUT_MS: '30000',
};

describe('webhook receivers at process level', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });

  async function setup(names: string[]) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-wh-proc-'));
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const hub = await startHubProcess(dataDir, ENV);
    cleanups.push(() => stopProcess(hub.child));
    const receivers: Receiver[] = [];
    const pages = [];
    for (const name of names) {
      const receiver = await startReceiver();
      cleanups.push(() => receiver.stop());
      receivers.push(receiver);
      pages.push(await createPageWithWebhook(receiver, name, ['--data-dir', dataDir]));
    }
    await customerWhoWrote(
      hub.url,
      `wh${names.length}${Date.now().toString(36)}`,
      pages.map((p) => p.page_id),
    );
    const psids = [];
    for (const r of receivers) psids.push(await psidFrom(r));
    return { hub, receivers, pages, psids };
  }

  it('delivers everything, in order, to a receiver that was down for a while', async () => {
    const { hub, receivers, pages, psids } = await setup(['Down Bank']);
    const [receiver, page, psid] = [receivers[0] as Receiver, pages[0]!, psids[0] as string];
    await receiver.stop();

    const sent: string[] = [];
    for (let i = 0; i < 60; i++) {
      const res = await sendText(hub.url, page.page_access_token, psid, `while down ${i}`);
      expect(res.status).toBe(200);
      sent.push(res.mid as string);
    }
    // The hub has tried (and failed) before the receiver comes back.
    await until(async () => ((await failures(hub.url)) ?? 0) >= 2);
    await receiver.restart();

    await receiver.waitFor(
      () => firstArrivals(receiver.accepted()).filter((m) => sent.includes(m)).length === sent.length,
    );
    expect(firstArrivals(receiver.accepted()).filter((m) => sent.includes(m))).toEqual(sent);
    // Nothing was posted twice: the receiver refused connections, it never half-accepted.
    const echoes = receiver.accepted().filter((i) => i.message?.is_echo === true);
    expect(echoes.map((i) => i.message?.mid)).toEqual(sent);
    expect(receiver.deliveries.every((d) => d.signed)).toBe(true);
  }, 60_000);

  it('keeps delivering to a healthy receiver while another app’s receiver hangs, then answers 500', async () => {
    const { hub, receivers, pages, psids } = await setup(['Stuck Bank', 'Healthy Bank']);
    const [stuck, healthy] = receivers as [Receiver, Receiver];
    const sentTo: [string[], string[]] = [[], []];
    const sendBoth = async (label: string, n: number) => {
      for (let i = 0; i < n; i++) {
        for (const k of [0, 1] as const) {
          const res = await sendText(hub.url, pages[k]!.page_access_token, psids[k] as string, `${label} ${i}`);
          expect(res.status).toBe(200);
          sentTo[k].push(res.mid as string);
        }
      }
    };
    const got = (r: Receiver, mids: string[]) => firstArrivals(r.accepted()).filter((m) => mids.includes(m));

    // Phase 1: the stuck receiver holds every request open until released.
    const held: Array<(status: number) => void> = [];
    stuck.behave(() => new Promise<number>((resolve) => held.push(resolve)));
    await sendBoth('hang', 30);
    await healthy.waitFor(() => got(healthy, sentTo[1]).length === sentTo[1].length);
    expect(got(healthy, sentTo[1])).toEqual(sentTo[1]);
    expect(got(stuck, sentTo[0])).toEqual([]);
    // One batch in flight per app: the hung app did not pile up connections.
    await stuck.waitFor(() => stuck.received >= 1);
    expect(stuck.received - stuck.deliveries.length).toBe(1);

    // Phase 2: it answers 500 to everything, including the request it was holding.
    stuck.behave(() => 500);
    for (const release of held.splice(0)) release(500);
    await sendBoth('failing', 30);
    await healthy.waitFor(() => got(healthy, sentTo[1]).length === sentTo[1].length);
    expect(got(healthy, sentTo[1])).toEqual(sentTo[1]);
    await stuck.waitFor(() => stuck.deliveries.filter((d) => d.status === 500).length >= 3);
    expect(got(stuck, sentTo[0])).toEqual([]);

    // Phase 3: back to health; it gets everything, in order.
    stuck.behave(() => 200);
    await stuck.waitFor(() => got(stuck, sentTo[0]).length === sentTo[0].length);
    expect(got(stuck, sentTo[0])).toEqual(sentTo[0]);
    process.stdout.write(
      `isolation: stuck app saw ${stuck.deliveries.length} requests (${stuck.deliveries.filter((d) => d.status === 500).length} answered 500)\n`,
    );
  }, 60_000);
});

async function failures(url: string): Promise<number | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^confide_webhook_deliveries_total\{result="failure"\} (\d+)/m.exec(text);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

async function until(predicate: () => Promise<boolean>): Promise<void> {
  while (!(await predicate())) await new Promise((r) => setTimeout(r, 50));
}

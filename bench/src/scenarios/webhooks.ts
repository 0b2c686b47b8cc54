/**
 * webhooks: the delivery worker drains a backlog of customer messages to a local
 * receiver, batched (WEBHOOK_BATCH_SIZE per POST, WEBHOOK_BATCHES_PER_APP in flight per app,
 * 10 pages/apps). Measures events/s between the first and last POST and the hub's CPU per
 * event, and counts events that arrive out of order within their conversation (a PSID's
 * `#n` not above its previous one). The reference POSTs the same batched bodies to the same
 * receiver from a plain client (10 connections, as many as apps).
 */
import { withWorkers, type LoadWorker } from '../lib/load-worker.js';
import { freshStore, seed } from '../lib/seed.js';
import { round } from '../lib/stats.js';
import { withHub } from '../lib/with-hub.js';
import type { ReceiverStats } from '../load/jobs.js';
import type { RunContext, Scenario } from './types.js';

const PAGES = 10;
const CUSTOMERS = 400;
const PER_CONVERSATION = 50;
const BATCH = 100;
const DEADLINE_MS = 180_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function awaitEvents(w: LoadWorker, n: number, deadline: number): Promise<ReceiverStats> {
  for (;;) {
    const s = await w.run({ kind: 'receiver-stats' });
    if (s.events >= n || Date.now() > deadline) return s;
    await sleep(100);
  }
}

function referenceBody(): string {
  const messaging = Array.from({ length: BATCH }, (_, i) => ({
    sender: { id: String(7e15 + i) },
    recipient: { id: '100000000000001' },
    timestamp: Date.now(),
    message: { mid: `m_reference_${i}`, text: `Balance? #0` },
  }));
  return JSON.stringify({ object: 'page', entry: [{ id: '100000000000001', time: Date.now(), messaging }] });
}

/** The plain client POSTing the same batches to the same receiver (measured once per run). */
function measureReference(ctx: RunContext) {
  return ctx.reference('bare-webhook-receiver', () =>
    withWorkers(2, async ([receiver, client]) => {
      ctx.log('  reference: plain client POSTing the same batches');
      const { url } = await (receiver as LoadWorker).run({ kind: 'receiver-start' });
      const u = new URL(url);
      return (client as LoadWorker).run({
        kind: 'http-load',
        port: Number(u.port),
        requests: [
          {
            method: 'POST',
            path: u.pathname,
            headers: { 'content-type': 'application/json' },
            body: referenceBody(),
          },
        ],
        connections: PAGES,
        warmupMs: ctx.warmupMs,
        durationMs: Math.min(ctx.durationMs, 5_000),
        okStatus: 200,
        messagesPerRequest: BATCH,
      });
    }),
  );
}

export const webhooks: Scenario = {
  name: 'webhooks',
  description: `Webhook delivery of a ${(CUSTOMERS * PER_CONVERSATION).toLocaleString('en-US')}-event backlog to a local receiver (${PAGES} apps, batched)`,
  byDefault: true,
  unavailable: () => null,
  async run(ctx) {
    const total = CUSTOMERS * PER_CONVERSATION;
    const store = await freshStore(ctx.postgres);
    try {
      const out = await withWorkers(1, async ([receiver]) => {
        const r = receiver as LoadWorker;
        const { url } = await r.run({ kind: 'receiver-start' });
        const t0 = Date.now();
        await seed(store, {
          customers: CUSTOMERS,
          webhookUrl: url,
          extraPages: PAGES - 1,
          webhookBacklog: PER_CONVERSATION,
        });
        ctx.log(`    backlog of ${total} events seeded in ${round((Date.now() - t0) / 1000)} s`);
        return withHub(ctx, 'webhooks', store, async (hub) => {
          const cpu0 = hub.cpuMs();
          const stats = await awaitEvents(r, total, Date.now() + DEADLINE_MS);
          return { ...stats, hubCpuMs: hub.cpuMs() - cpu0 };
        });
      });
      const ref = await measureReference(ctx);
      const s = out.result;
      const seconds = (s.lastAt - s.firstAt) / 1000;
      const rate = seconds > 0 ? s.events / seconds : 0;
      return {
        rows: [
          {
            scenario: 'webhooks',
            metric: 'delivery',
            unit: 'events/s',
            measured: rate,
            target: { op: '>=', value: 20_000 },
            reference: ref.mps,
            note: `${s.events}/${total} events in ${s.posts} POSTs (≤ ${s.largestBatch}/POST) over ${round(seconds, 2)} s; ${s.senders} conversations; hub CPU ${round((s.hubCpuMs * 1000) / Math.max(1, s.events))} µs/event`,
          },
          {
            scenario: 'webhooks',
            metric: 'out of order per conversation',
            unit: 'events',
            measured: s.outOfOrder,
            target: { op: '<=', value: 0 },
            reference: null,
          },
        ],
        details: { receiver: s, reference: ref, profile: out.profile },
      };
    } finally {
      await store.dispose();
    }
  },
};

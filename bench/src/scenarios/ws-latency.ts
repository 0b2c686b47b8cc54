/**
 * ws-latency: the time from the Send API's acknowledgement to the frame on the
 * customer's WebSocket, at a steady 2,000 msg/s (open loop) over 64 connections to 64
 * connected recipients. Sender and receivers share one load process, so one clock.
 * The reference is a bare `ws` server forwarding each POST to the addressed socket.
 */
import type { LatencyReport } from '../load/jobs.js';
import type { LoadWorker } from '../lib/load-worker.js';
import { withWorkers } from '../lib/load-worker.js';
import { LOAD_ENV } from '../lib/message-load.js';
import { startBareWs } from '../lib/references.js';
import { freshStore, seed } from '../lib/seed.js';
import { round } from '../lib/stats.js';
import { withHub, wsUrl } from '../lib/with-hub.js';
import type { RequestSpec } from '../load/http-client.js';
import { sendApiBuilt, sendRequests } from './send-api.js';
import type { RunContext, Scenario } from './types.js';

const RATE = 2_000;
const pct = (part: number, whole: number): string => `${whole === 0 ? 0 : Math.round((100 * part) / whole)}%`;
const CONNECTIONS = 64;

async function measure(
  ctx: RunContext,
  w: LoadWorker,
  port: number,
  url: string,
  clients: Array<{ cookie?: string; query?: string }>,
  requests: RequestSpec[],
): Promise<LatencyReport & { sent: number; p99Ack: number }> {
  const opened = await w.run({ kind: 'ws-open', url, clients, concurrency: 16, waitReady: true, track: true });
  if (opened.failed > 0) throw new Error(`streams failed to open: ${opened.firstError}`);
  // First contact creates each conversation's keys; measure conversations already under way.
  await w.run({ kind: 'http-send-all', port, requests, connections: 16, okStatus: 200 });
  const load = await w.run({
    kind: 'http-load',
    port,
    requests,
    connections: CONNECTIONS,
    rate: RATE,
    warmupMs: ctx.warmupMs,
    durationMs: ctx.durationMs,
    okStatus: 200,
    trackAcks: true,
  });
  if (load.firstError !== undefined) ctx.log(`    first error: ${load.firstError}`);
  await new Promise((r) => setTimeout(r, 1_000));
  const report = await w.run({ kind: 'latency-report' });
  await w.run({ kind: 'ws-close' });
  return { ...report, sent: load.ok, p99Ack: load.latency.p99 };
}

export const wsLatency: Scenario = {
  name: 'ws-latency',
  description: 'Send API ack → frame on the customer WebSocket, 2,000 msg/s open loop',
  byDefault: true,
  unavailable: sendApiBuilt,
  async run(ctx) {
    const store = await freshStore(ctx.postgres);
    try {
      const fx = await seed(store, { customers: CONNECTIONS });
      const hub = await withHub(
        ctx,
        'ws-latency',
        store,
        (server) =>
          withWorkers(1, ([w]) =>
            measure(
              ctx,
              w as LoadWorker,
              server.port,
              wsUrl(server, '/api/stream'),
              fx.customers.map((c) => ({ cookie: c.cookie })),
              sendRequests(fx),
            ),
          ),
        LOAD_ENV,
      );
      const ref = await ctx.reference('bare-ws-latency', async () => {
        ctx.log('  reference: bare ws server forwarding POSTs');
        const bare = await startBareWs();
        try {
          return await withWorkers(1, ([w]) =>
            measure(
              ctx,
              w as LoadWorker,
              bare.port,
              wsUrl(bare, '/'),
              Array.from({ length: CONNECTIONS }, (_, i) => ({ query: `id=${i}` })),
              Array.from({ length: CONNECTIONS }, (_, i) => ({
                method: 'POST',
                path: `/send/${i}`,
                headers: { 'content-type': 'application/json' },
                body: '{"text":"Your card limit is now 5,000 EUR #$SEQ"}',
              })),
            ),
          );
        } finally {
          await bare.stop();
        }
      });
      const h = hub.result;
      const rate = round(h.sent / (ctx.durationMs / 1000));
      return {
        rows: [
          {
            scenario: 'ws-latency',
            metric: 'ack → frame p99',
            unit: 'ms',
            measured: h.ackToFrame.p99,
            target: { op: '<=', value: 15 },
            reference: ref.ackToFrame.p99,
            note: `${rate} msg/s acknowledged (asked ${RATE}); ${pct(h.framesBeforeAck, h.matched)} of frames reached the socket before the ack; ${h.missing} missing`,
          },
          {
            scenario: 'ws-latency',
            metric: 'request → frame p99',
            unit: 'ms',
            measured: h.sendToFrame.p99,
            target: null,
            reference: ref.sendToFrame.p99,
            note: `p50 ${round(h.sendToFrame.p50)} ms; ack p99 ${round(h.p99Ack)} ms (from schedule)`,
          },
        ],
        details: { hub: h, reference: ref, profile: hub.profile },
      };
    } finally {
      await store.dispose();
    }
  },
};

/**
 * fanout: one distinct proactive message (Send API, messaging_type UPDATE) to each
 * connected customer, as many as one hub process can hold (ws-idle); the time from the
 * first send to the last frame received. The reference is a bare `ws` server sending a
 * distinct frame to each of the same number of clients.
 */
import { cpuPerWriteRow, floorFor, measuringWrites } from '../lib/floor-rows.js';
import type { LoadWorker } from '../lib/load-worker.js';
import { withWorkers } from '../lib/load-worker.js';
import { LOAD_ENV } from '../lib/message-load.js';
import { startBareWs } from '../lib/references.js';
import { freshStore, seed, type Fixture } from '../lib/seed.js';
import type { ServerProcess } from '../lib/hub-process.js';
import { round } from '../lib/stats.js';
import { withHub, wsUrl } from '../lib/with-hub.js';
import { closeFleet, fleetStats, openFleet, workersFor } from '../lib/ws-fleet.js';
import { sendApiBuilt } from './send-api.js';
import type { Scenario } from './types.js';
import { reachableConnections, TARGET_CONNECTIONS } from './ws-idle.js';

const SEND_CONNECTIONS = 64;
const DEADLINE_MS = 120_000;
/** Sending stops here; the rest of the run would not change the verdict. */
const SEND_DEADLINE_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the fleet has `n` message frames or the deadline passes. */
async function awaitFrames(workers: LoadWorker[], n: number, deadline: number) {
  for (;;) {
    const s = await fleetStats(workers);
    if (s.messageFrames >= n || Date.now() > deadline) return s;
    await sleep(100);
  }
}

/** One distinct UPDATE to each customer; resolves once every acknowledged one reached its stream (or the deadline). */
async function sendToAll(server: ServerProcess, sender: LoadWorker, fleet: LoadWorker[], fx: Fixture) {
  const requests = fx.customers.map((c, i) => ({
    method: 'POST',
    path: `/v25.0/me/messages?access_token=${fx.pageToken}`,
    headers: { 'content-type': 'application/json' },
    body: `{"recipient":{"id":"${c.psid}"},"messaging_type":"UPDATE","message":{"text":"Your statement is ready #${i}"}}`,
  }));
  const sent = await sender.run({
    kind: 'http-send-all',
    port: server.port,
    requests,
    connections: SEND_CONNECTIONS,
    okStatus: 200,
    deadlineMs: SEND_DEADLINE_MS,
  });
  const frames = await awaitFrames(fleet, sent.ok, Date.now() + DEADLINE_MS);
  return { sent, frames, ms: frames.lastMessageAt - sent.startedAt, sendMs: sent.endedAt - sent.startedAt };
}

export const fanout: Scenario = {
  name: 'fanout',
  description: 'One distinct proactive message to each connected customer (as many as ws-idle holds)',
  byDefault: true,
  unavailable: sendApiBuilt,
  async run(ctx) {
    const n = reachableConnections();
    const store = await freshStore(ctx.postgres);
    try {
      const fx = await seed(store, { customers: n });
      const hub = await withHub(
        ctx,
        'fanout',
        store,
        (server) =>
          withWorkers(workersFor(n) + 1, async (all) => {
            const [sender, ...fleet] = all as [LoadWorker, ...LoadWorker[]];
            const open = await openFleet(
              fleet,
              wsUrl(server, '/api/stream'),
              fx.customers.map((c) => ({ cookie: c.cookie })),
              { concurrency: 64, waitReady: true },
            );
            ctx.log(`    ${open.opened} streams open in ${Math.round(open.ms)} ms`);
            const { result, writes } = await measuringWrites(server, () => sendToAll(server, sender, fleet, fx));
            await closeFleet(fleet);
            return { writes, open, ...result };
          }),
        LOAD_ENV,
      );
      const ref = await ctx.reference(`bare-ws-fanout:${n}`, async () => {
        ctx.log(`  reference: bare ws server, one frame to each of ${n} clients`);
        const bare = await startBareWs();
        try {
          return await withWorkers(workersFor(n) + 1, async (all) => {
            const [sender, ...fleet] = all as [LoadWorker, ...LoadWorker[]];
            await openFleet(
              fleet,
              wsUrl(bare, '/'),
              Array.from({ length: n }, (_, i) => ({ query: `id=${i}` })),
              { concurrency: 64, waitReady: true },
            );
            const started = Date.now();
            await sender.run({
              kind: 'http-once',
              port: bare.port,
              request: {
                method: 'POST',
                path: '/fanout',
                headers: { 'content-type': 'application/json' },
                body: '{"prefix":"statement"}',
              },
            });
            const frames = await awaitFrames(fleet, n, Date.now() + DEADLINE_MS);
            await closeFleet(fleet);
            return { frames, ms: frames.lastMessageAt - started };
          });
        } finally {
          await bare.stop();
        }
      });
      const h = hub.result;
      const all = h.frames.messageFrames >= n;
      const rate = h.sent.ok / (h.sendMs / 1000);
      // The floor: the same n messages' rows committed by the bare loop at the hub's group size.
      const floor = await floorFor(ctx, ctx.postgres, h.writes);
      return {
        rows: [
          {
            scenario: 'fanout',
            metric: all
              ? `all ${n.toLocaleString('en-US')} delivered`
              : `all ${n.toLocaleString('en-US')} delivered (projected)`,
            unit: 's',
            measured: all ? round(h.ms / 1000, 2) : round(n / rate, 1),
            // 50,000 in 5 s is the target rate: fewer customers (capped by open files) get proportionally less time.
            target: { op: '<=', value: round((5 * n) / TARGET_CONNECTIONS, 2) },
            reference: round(ref.ms / 1000, 2),
            floor: round(n / floor.mps, 2),
            note: [
              all ? '' : `stopped after ${SEND_DEADLINE_MS / 1000} s`,
              `${h.frames.messageFrames}/${n} frames; ${h.sent.ok} sends acked at ${Math.round(rate)} msg/s`,
              `hub CPU ${h.writes.hubCpuMsPerWrite} ms/write, ${h.writes.jobsPerBatch}/commit`,
              h.sent.failed ? `${h.sent.failed} sends failed: ${h.sent.firstError ?? ''}` : '',
              n < TARGET_CONNECTIONS ? `capped at ${n} connections (open-file limit)` : '',
            ]
              .filter(Boolean)
              .join('; '),
          },
          cpuPerWriteRow('fanout', h.writes, floor),
        ],
        details: { hub: h, reference: ref, floor, profile: hub.profile },
      };
    } finally {
      await store.dispose();
    }
  },
};

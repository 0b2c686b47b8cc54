/**
 * ws-idle: how many idle customer streams one hub process holds, and the RSS each costs
 * (RSS after all are open and idle, minus RSS before, divided by the count). The same
 * measurement on a bare `ws` server is the reference.
 */
import { hardFileLimit } from '../lib/machine.js';
import { withWorkers } from '../lib/load-worker.js';
import { startBareWs } from '../lib/references.js';
import { freshStore, seed } from '../lib/seed.js';
import { round } from '../lib/stats.js';
import { withHub, wsUrl } from '../lib/with-hub.js';
import { closeFleet, fleetStats, openFleet, workersFor } from '../lib/ws-fleet.js';
import type { ServerProcess } from '../lib/hub-process.js';
import type { RunContext, Scenario } from './types.js';

export const TARGET_CONNECTIONS = 50_000;
const SETTLE_MS = 5_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Connections one server process can hold here: the target, or the open-file limit minus headroom. */
export function reachableConnections(): number {
  const cap = Number(process.env['BENCH_MAX_CONNECTIONS'] ?? TARGET_CONNECTIONS);
  return Math.min(TARGET_CONNECTIONS, cap, hardFileLimit() - 300);
}

interface IdleResult {
  attempted: number;
  opened: number;
  failed: number;
  held: number;
  openMs: number;
  rssBefore: number;
  rssAfter: number;
  bytesPerConnection: number;
  firstError?: string;
}

async function holdIdle(
  ctx: RunContext,
  server: ServerProcess,
  url: string,
  clients: Array<{ cookie?: string; query?: string }>,
  waitReady: boolean,
): Promise<IdleResult> {
  return withWorkers(workersFor(clients.length), async (workers) => {
    // Warm the accept path so code loading and JIT are not counted per connection.
    await openFleet(workers, url, clients.slice(0, 50), { concurrency: 10, waitReady });
    await closeFleet(workers);
    await sleep(1_000);
    const rssBefore = server.rss();
    const open = await openFleet(workers, url, clients, { concurrency: 64, waitReady });
    ctx.log(`    ${open.opened} open in ${Math.round(open.ms)} ms (${open.failed} failed)`);
    await sleep(SETTLE_MS);
    const rssAfter = server.rss();
    const stats = await fleetStats(workers);
    await closeFleet(workers);
    return {
      attempted: clients.length,
      opened: open.opened,
      failed: open.failed,
      held: stats.open,
      openMs: open.ms,
      rssBefore,
      rssAfter,
      bytesPerConnection: stats.open === 0 ? 0 : (rssAfter - rssBefore) / stats.open,
      ...(open.firstError === undefined ? {} : { firstError: open.firstError }),
    };
  });
}

export const wsIdle: Scenario = {
  name: 'ws-idle',
  description: 'Idle customer WebSocket streams held by one hub process, and RSS per stream',
  byDefault: true,
  unavailable: () => null,
  async run(ctx) {
    const n = reachableConnections();
    if (n < TARGET_CONNECTIONS)
      ctx.log(`  open-file hard limit ${hardFileLimit()}: trying ${n} connections, not ${TARGET_CONNECTIONS}`);
    const store = await freshStore(ctx.postgres);
    try {
      const fx = await seed(store, { customers: n });
      const hub = await withHub(ctx, 'ws-idle', store, (server) =>
        holdIdle(
          ctx,
          server,
          wsUrl(server, '/api/stream'),
          fx.customers.map((c) => ({ cookie: c.cookie })),
          true,
        ),
      );
      const ref = await ctx.reference(`bare-ws-idle:${n}`, async () => {
        ctx.log(`  reference: bare ws server, ${n} connections`);
        const bare = await startBareWs();
        try {
          return await holdIdle(
            ctx,
            bare,
            wsUrl(bare, '/'),
            Array.from({ length: n }, (_, i) => ({ query: `id=${i}` })),
            true,
          );
        } finally {
          await bare.stop();
        }
      });
      const h = hub.result;
      const limitNote = n < TARGET_CONNECTIONS ? `capped at ${n} by the open-file hard limit (${hardFileLimit()})` : '';
      return {
        rows: [
          {
            scenario: 'ws-idle',
            metric: 'streams held',
            unit: 'conns',
            measured: h.held,
            target: { op: '>=', value: TARGET_CONNECTIONS },
            reference: ref.held,
            note: [limitNote, h.failed ? `${h.failed} failed: ${h.firstError ?? ''}` : ''].filter(Boolean).join('; '),
          },
          {
            scenario: 'ws-idle',
            metric: 'RSS per stream',
            unit: 'KB',
            measured: round(h.bytesPerConnection / 1024, 2),
            target: { op: '<=', value: 7 },
            reference: round(ref.bytesPerConnection / 1024, 2),
            note: `hub RSS ${Math.round(h.rssBefore / 2 ** 20)} → ${Math.round(h.rssAfter / 2 ** 20)} MB`,
          },
        ],
        details: { hub: h, reference: ref, profile: hub.profile },
      };
    } finally {
      await store.dispose();
    }
  },
};

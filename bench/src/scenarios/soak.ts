/**
 * soak: five minutes of Send API traffic at half the measured maximum (open loop),
 * sampling the hub's RSS and V8 heap at the start, every 30 s and at the end, to show
 * whether memory stays flat. Part of the default run, last (it alone takes 5 minutes;
 * `--soak SEC` shortens it), since issue 16 counts it among the targets.
 */
import type { LoadWorker } from '../lib/load-worker.js';
import { withWorkers } from '../lib/load-worker.js';
import { LOAD_ENV } from '../lib/message-load.js';
import { freshStore, seed } from '../lib/seed.js';
import { round } from '../lib/stats.js';
import { withHub, wsUrl } from '../lib/with-hub.js';
import { sendApiBuilt, sendRequests } from './send-api.js';
import type { Scenario } from './types.js';

const CONNECTIONS = 64;
const SAMPLE_MS = 30_000;

interface Sample {
  atS: number;
  rssMb: number;
  heapUsedMb: number;
}

async function heapUsed(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1] ?? 0);
}

export const soak: Scenario = {
  name: 'soak',
  description: 'Send API at half the measured maximum for 5 minutes; RSS and heap every 30 s',
  byDefault: true,
  unavailable: sendApiBuilt,
  async run(ctx) {
    const store = await freshStore(ctx.postgres);
    try {
      const fx = await seed(store, { customers: CONNECTIONS });
      const run = await withHub(
        ctx,
        'soak',
        store,
        (hub) =>
          withWorkers(1, async ([worker]) => {
            const w = worker as LoadWorker;
            await w.run({
              kind: 'ws-open',
              url: wsUrl(hub, '/api/stream'),
              clients: fx.customers.map((c) => ({ cookie: c.cookie })),
              concurrency: 16,
              waitReady: true,
            });
            let max = ctx.previous.get('send-api')?.rows.find((r) => r.metric === 'throughput')?.measured;
            if (max === undefined) {
              const probe = await w.run({
                kind: 'http-load',
                port: hub.port,
                requests: sendRequests(fx),
                connections: CONNECTIONS,
                warmupMs: 2_000,
                durationMs: 5_000,
                okStatus: 200,
              });
              max = probe.mps;
            }
            const rate = Math.max(1, Math.round(max / 2));
            ctx.log(`    soaking at ${rate} msg/s (half of ${Math.round(max)}) for ${ctx.soakMs / 1000} s`);
            const samples: Sample[] = [];
            const t0 = Date.now();
            const sample = async () =>
              samples.push({
                atS: Math.round((Date.now() - t0) / 1000),
                rssMb: round(hub.rss() / 2 ** 20),
                heapUsedMb: round((await heapUsed(hub.url)) / 2 ** 20),
              });
            await sample();
            const timer = setInterval(() => void sample(), SAMPLE_MS);
            const load = await w.run({
              kind: 'http-load',
              port: hub.port,
              requests: sendRequests(fx),
              connections: CONNECTIONS,
              rate,
              warmupMs: 0,
              durationMs: ctx.soakMs,
              okStatus: 200,
            });
            clearInterval(timer);
            await sample();
            for (const s of samples)
              ctx.log(`    t=${String(s.atS).padStart(3)} s  RSS ${s.rssMb} MB  heap ${s.heapUsedMb} MB`);
            return { rate, load, samples };
          }),
        LOAD_ENV,
      );
      const { rate, load, samples } = run.result;
      const first = samples[1] ?? samples[0];
      const last = samples[samples.length - 1];
      const growth = first && last ? round(last.rssMb - first.rssMb) : 0;
      const heapGrowth = first && last ? round(last.heapUsedMb - first.heapUsedMb) : 0;
      const flat = first !== undefined && last !== undefined && last.rssMb <= first.rssMb * 1.1;
      // Bounded caches (the SQLite page cache is 64 MB) fill during the first minutes; a leak
      // keeps growing. The second half of the run tells them apart.
      const middle = samples[Math.floor(samples.length / 2)];
      const lateGrowth = middle && last ? round(last.rssMb - middle.rssMb) : 0;
      const lateFlat = middle !== undefined && last !== undefined && last.rssMb <= middle.rssMb * 1.05;
      return {
        rows: [
          {
            scenario: 'soak',
            metric: 'sustained',
            unit: 'msg/s',
            measured: load.mps,
            target: { op: '>=', value: rate * 0.98 },
            reference: null,
            note: `asked ${rate} msg/s; p99 ${round(load.latency.p99)} ms; ${load.ok} sends`,
          },
          {
            scenario: 'soak',
            metric: 'RSS growth after 30 s',
            unit: 'MB',
            measured: growth,
            target: null,
            reference: null,
            note: `${flat ? 'flat (within 10%)' : 'NOT flat'}; RSS ${samples.map((s) => s.rssMb).join(' → ')} MB; heap ${samples.map((s) => s.heapUsedMb).join(' → ')} MB (heap ${heapGrowth >= 0 ? '+' : ''}${heapGrowth} MB)`,
          },
          {
            scenario: 'soak',
            metric: 'RSS growth, second half',
            unit: 'MB',
            measured: lateGrowth,
            target: null,
            reference: null,
            note: `${lateFlat ? 'flat (within 5%)' : 'STILL GROWING'} from t=${middle?.atS ?? 0} s to t=${last?.atS ?? 0} s`,
          },
        ],
        details: { rate, load, samples, profile: run.profile },
      };
    } finally {
      await store.dispose();
    }
  },
};

/**
 * The shape shared by the message-throughput scenarios: seed recipients, start the hub,
 * connect every recipient's stream, run closed-loop load from a separate process, and
 * read the hub's group-commit counters and CPU time around it.
 */
import type { RequestSpec } from '../load/http-client.js';
import type { HttpLoadResult, WsStatsResult } from '../load/jobs.js';
import type { RunContext } from '../scenarios/types.js';
import { writeStats, writesBetween } from './hub-process.js';
import { withWorkers } from './load-worker.js';
import { freshStore, seed, type Fixture } from './seed.js';
import { round } from './stats.js';
import { withHub, wsUrl } from './with-hub.js';
import type { ProfileSummary } from './profile.js';

/** Hub settings for load: the per-page Send API limit (300/s) would otherwise be what is measured. */
export const LOAD_ENV = { SEND_RATE_LIMIT_PER_PAGE: '100000000' };

export interface MessageLoadOptions {
  scenario: string;
  postgres: boolean;
  connections: number;
  recipients: number;
  requests(fx: Fixture): RequestSpec[];
  okStatus: number;
  messagesPerRequest?: number;
  countInBody?: string;
  /** One request per recipient sent (and not measured) before the load. */
  prime?(fx: Fixture): RequestSpec[];
  /** Measured window, when it must be longer than the run's (slow requests such as batches). */
  durationMs?: number;
  /** Extra environment of the hub process. */
  hubEnv?: Record<string, string>;
  /** Started just before the measured load and stopped after it (e.g. PostgreSQL activity sampling). */
  observe?: () => Promise<{ stop(): Promise<unknown> }>;
}

export interface MessageLoadResult {
  load: HttpLoadResult;
  ws: WsStatsResult;
  writes: { batches: number; jobs: number; retries: number };
  jobsPerBatch: number;
  /** The hub's write transactions in flight at most (DATABASE_WRITE_CONCURRENCY on PostgreSQL). */
  writeConcurrency: number;
  /** Hub CPU over the run, as a share of one core, and per committed write. */
  hubCpuPct: number;
  hubCpuMsPerWrite: number;
  /** Writes the hub committed per second over the whole load (warm-up included). */
  committedPerSecond: number;
  hubRssBytes: number;
  profile?: ProfileSummary;
  /** What `observe` returned. */
  observed?: unknown;
}

export async function messageLoad(ctx: RunContext, o: MessageLoadOptions): Promise<MessageLoadResult> {
  const store = await freshStore(o.postgres);
  try {
    const fx = await seed(store, { customers: o.recipients });
    const run = await withHub(
      ctx,
      o.scenario,
      store,
      (hub) =>
        withWorkers(1, async ([w]) => {
          if (w === undefined) throw new Error('no worker');
          const opened = await w.run({
            kind: 'ws-open',
            url: wsUrl(hub, '/api/stream'),
            clients: fx.customers.map((c) => ({ cookie: c.cookie })),
            concurrency: 16,
            waitReady: true,
          });
          if (opened.failed > 0) throw new Error(`streams failed to open: ${opened.firstError}`);
          // First contact creates a conversation's keys (slow); these measure conversations under way: prime each.
          if (o.prime !== undefined) {
            const primed = await w.run({
              kind: 'http-send-all',
              port: hub.port,
              requests: o.prime(fx),
              connections: 16,
              okStatus: 200,
            });
            if (primed.failed > 0) throw new Error(`priming failed: ${primed.firstError}`);
          }
          const before = await writeStats(hub.url);
          const cpu0 = hub.cpuMs();
          const observer = await o.observe?.();
          const t0 = Date.now();
          const load = await w.run({
            kind: 'http-load',
            port: hub.port,
            requests: o.requests(fx),
            connections: o.connections,
            warmupMs: ctx.warmupMs,
            durationMs: o.durationMs ?? ctx.durationMs,
            okStatus: o.okStatus,
            ...(o.messagesPerRequest === undefined ? {} : { messagesPerRequest: o.messagesPerRequest }),
            ...(o.countInBody === undefined ? {} : { countInBody: o.countInBody }),
          });
          const cpuMs = hub.cpuMs() - cpu0;
          const elapsed = Date.now() - t0;
          const observed = await observer?.stop();
          const after = await writeStats(hub.url);
          await new Promise((r) => setTimeout(r, 300));
          const ws = await w.run({ kind: 'ws-stats' });
          return { load, ws, before, after, cpuMs, elapsed, rss: hub.rss(), observed };
        }),
      { ...LOAD_ENV, ...o.hubEnv },
    );
    const r = run.result;
    const writes = writesBetween(r.before, r.after);
    return {
      load: r.load,
      ws: r.ws,
      writes,
      jobsPerBatch: writes.batches === 0 ? 0 : round(writes.jobs / writes.batches),
      writeConcurrency: r.after.concurrency,
      hubCpuPct: round((100 * r.cpuMs) / r.elapsed),
      hubCpuMsPerWrite: writes.jobs === 0 ? 0 : round(r.cpuMs / writes.jobs, 3),
      committedPerSecond: round((1000 * writes.jobs) / r.elapsed),
      hubRssBytes: r.rss,
      ...(run.profile === undefined ? {} : { profile: run.profile }),
      ...(r.observed === undefined ? {} : { observed: r.observed }),
    };
  } finally {
    await store.dispose();
  }
}

/** One line of context for the table's notes column. */
export function loadNote(m: MessageLoadResult): string {
  const parts = [
    `hub CPU ${Math.round(m.hubCpuPct)}% (${m.hubCpuMsPerWrite} ms/write)`,
    `${Math.round(m.committedPerSecond)} writes/s committed, ${m.jobsPerBatch}/commit`,
    ...(m.writeConcurrency > 1 ? [`${m.writeConcurrency} in flight, ${m.writes.retries} retried`] : []),
    `${m.ws.messageFrames} frames`,
  ];
  if (m.load.errors > 0) parts.push(`${m.load.errors} conn errors`);
  if (m.load.firstError !== undefined) parts.push(`first error: ${m.load.firstError.slice(0, 100)}`);
  return parts.join('; ');
}

/**
 * Opens many WebSocket clients across several load-worker processes, each connecting
 * from its own source addresses (127.0.0.x) so one address's ephemeral ports and one
 * process's file limit are never the ceiling.
 */
import type { LoadWorker } from './load-worker.js';
import type { WsOpenResult, WsStatsResult } from '../load/jobs.js';
import { hardFileLimit } from './machine.js';

/** Clients one worker process should hold, leaving room for its own descriptors. */
export const perWorkerCapacity = (): number => Math.max(1000, hardFileLimit() - 500);

/** How many worker processes hold `n` clients. */
export const workersFor = (n: number): number => Math.max(1, Math.ceil(n / Math.min(perWorkerCapacity(), 12_000)));

/** Source addresses per worker: binding before connect scans a port range per address, so many small ranges are fast. */
const ADDRESSES_PER_WORKER = 64;

/** Splits `clients` evenly over the workers; worker k connects from 127.0.(k+1).2 … 127.0.(k+1).65. */
export async function openFleet(
  workers: LoadWorker[],
  url: string,
  clients: Array<{ cookie?: string; query?: string }>,
  options: { concurrency: number; waitReady: boolean; track?: boolean },
): Promise<WsOpenResult> {
  const share = Math.ceil(clients.length / workers.length);
  const results = await Promise.all(
    workers.map((w, k) =>
      w.run({
        kind: 'ws-open',
        url,
        clients: clients.slice(k * share, (k + 1) * share),
        localAddresses: Array.from({ length: ADDRESSES_PER_WORKER }, (_, j) => `127.0.${k + 1}.${j + 2}`),
        concurrency: options.concurrency,
        waitReady: options.waitReady,
        ...(options.track === undefined ? {} : { track: options.track }),
      }),
    ),
  );
  const firstError = results.find((r) => r.firstError !== undefined)?.firstError;
  return {
    opened: results.reduce((s, r) => s + r.opened, 0),
    failed: results.reduce((s, r) => s + r.failed, 0),
    ms: Math.max(...results.map((r) => r.ms)),
    ...(firstError === undefined ? {} : { firstError }),
  };
}

export async function fleetStats(workers: LoadWorker[]): Promise<WsStatsResult> {
  const all = await Promise.all(workers.map((w) => w.run({ kind: 'ws-stats' })));
  return {
    open: all.reduce((s, r) => s + r.open, 0),
    closedByServer: all.reduce((s, r) => s + r.closedByServer, 0),
    messageFrames: all.reduce((s, r) => s + r.messageFrames, 0),
    firstMessageAt: Math.min(...all.map((r) => r.firstMessageAt || Infinity)),
    lastMessageAt: Math.max(...all.map((r) => r.lastMessageAt)),
    outOfOrder: all.reduce((s, r) => s + r.outOfOrder, 0),
  };
}

export async function closeFleet(workers: LoadWorker[]): Promise<void> {
  await Promise.all(workers.map((w) => w.run({ kind: 'ws-close' })));
}

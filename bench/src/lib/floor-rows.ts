/**
 * A storage scenario next to its storage floor (lib/storage-floor.ts), measured in the same
 * run at the hub's own writes per commit and transactions in flight, and the table's row for
 * the hub's CPU per committed write beside the floor's CPU per message.
 */
import type { RunContext, Row } from '../scenarios/types.js';
import { writeStats, writesBetween, type ServerProcess } from './hub-process.js';
import { round } from './stats.js';
import { measureStorageFloor, type FloorResult } from './storage-floor.js';

export interface HubWrites {
  /** The hub's writes per commit over the measured load. */
  jobsPerBatch: number;
  /** Its write transactions in flight at most. */
  writeConcurrency: number;
  /** Its CPU (main thread and the rest of the process) per committed write, ms. */
  hubCpuMsPerWrite: number;
}

export async function floorFor(ctx: RunContext, postgres: boolean, hub: HubWrites): Promise<FloorResult> {
  const floor = await measureStorageFloor(ctx, {
    postgres,
    groupSize: hub.jobsPerBatch,
    connections: hub.writeConcurrency,
  });
  ctx.log(
    `  storage floor: ${floor.mps} msg/s, ${floor.usPerMessage} µs/message at ${floor.groupSize} per commit` +
      `${floor.connections > 1 ? ` on ${floor.connections} connections` : ''}, loop CPU ${floor.cpuMsPerMessage} ms/message`,
  );
  return floor;
}

/** Hub CPU per committed write; the floor column is the floor loop's own CPU per message. */
export function cpuPerWriteRow(scenario: string, hub: HubWrites, floor: FloorResult): Row {
  return {
    scenario,
    metric: 'hub CPU per write',
    unit: 'ms',
    measured: hub.hubCpuMsPerWrite,
    target: null,
    reference: null,
    floor: floor.cpuMsPerMessage,
    note: `floor: ${floor.usPerMessage} µs/message wall at ${floor.groupSize} per commit${floor.connections > 1 ? `, ${floor.connections} connections` : ''}`,
  };
}

/** Runs `load` against the hub and reads its group-commit counters and CPU time around it. */
export async function measuringWrites<T>(
  hub: ServerProcess,
  load: () => Promise<T>,
): Promise<{ result: T; writes: HubWrites & { jobs: number; retries: number } }> {
  const before = await writeStats(hub.url);
  const cpu0 = hub.cpuMs();
  const result = await load();
  const cpuMs = hub.cpuMs() - cpu0;
  const after = await writeStats(hub.url);
  const { jobs, batches, retries } = writesBetween(before, after);
  return {
    result,
    writes: {
      jobs,
      retries,
      jobsPerBatch: batches === 0 ? 0 : round(jobs / batches),
      writeConcurrency: after.concurrency,
      hubCpuMsPerWrite: jobs === 0 ? 0 : round(cpuMs / jobs, 3),
    },
  };
}

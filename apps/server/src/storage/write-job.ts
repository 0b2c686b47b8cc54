/**
 * One run of a queued write inside a group-commit transaction (write-queue.ts): in its own
 * savepoint, so it rolls back alone, or without one (optimistic), where the connection's
 * statement tally tells whether a failing job left anything in the transaction. Either way
 * its set-based timeline appends (timeline-batch.ts) join the batch only if it succeeds.
 */
import { CompiledQuery, type Transaction } from 'kysely';
import { isLockConflict } from './db-errors.js';
import type { Database } from './schema.js';
import type { StatementTally } from './statement-tally.js';
import type { PartitionedJob } from './pending-jobs.js';
import type { TimelineBatch } from './timeline-batch.js';
import type { RunOptions, WriteTx } from './write-queue.js';

export interface Job extends PartitionedJob {
  fn: (tx: WriteTx) => Promise<unknown>;
  readAhead: RunOptions['readAhead'];
  setBased: boolean;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  effects: Array<() => void>;
  ok: boolean;
  result?: unknown;
  error?: unknown;
  attempts: number;
  /** Resolved or rejected. */
  settled: boolean;
}

/** A job as `WriteQueue.run` queues it. */
export function newJob<K>(
  fn: (tx: WriteTx) => Promise<unknown>,
  options: RunOptions<K>,
  settle: { resolve: (value: unknown) => void; reject: (err: unknown) => void },
): Job {
  const { readAhead, setBased = false, partition } = options;
  return {
    fn,
    readAhead: readAhead as RunOptions['readAhead'],
    setBased,
    partition,
    ...settle,
    effects: [],
    ok: false,
    attempts: 0,
    settled: false,
  };
}

// Compiled once: these run twice per job in every shared transaction.
const SAVEPOINT = CompiledQuery.raw('savepoint confide_job');
const RELEASE = CompiledQuery.raw('release savepoint confide_job');
const ROLLBACK_TO = CompiledQuery.raw('rollback to savepoint confide_job');

/** Runs `job` in its own savepoint: when it fails, its writes and appends are undone and the transaction goes on. */
export async function runInSavepoint(
  trx: Transaction<Database>,
  job: Job,
  tx: WriteTx,
  batch: TimelineBatch | undefined,
): Promise<void> {
  await trx.executeQuery(SAVEPOINT);
  try {
    job.result = await job.fn(tx);
    job.ok = true;
    await trx.executeQuery(RELEASE);
    batch?.keep();
  } catch (err) {
    job.ok = false;
    job.error = err;
    job.effects = [];
    batch?.drop();
    await trx.executeQuery(ROLLBACK_TO);
    await trx.executeQuery(RELEASE);
  }
}

/**
 * Runs `job` without a savepoint: `ok`; `no trace` when it failed having left nothing in the
 * transaction (no write, no SQL error, by the tally), so it can be refused alone; `failed`
 * when the transaction must be rolled back.
 */
export async function runBare(
  job: Job,
  tx: WriteTx,
  batch: TimelineBatch | undefined,
  tally: StatementTally | undefined,
): Promise<'ok' | 'no trace' | 'failed'> {
  const writes = tally?.writes;
  const errors = tally?.errors;
  try {
    job.result = await job.fn(tx);
    job.ok = true;
    batch?.keep();
    return 'ok';
  } catch (err) {
    job.error = err;
    batch?.drop();
    const traceless = tally !== undefined && tally.writes === writes && tally.errors === errors;
    return traceless && !isLockConflict(err) ? 'no trace' : 'failed';
  }
}

/**
 * One run of a queued write inside a group-commit transaction (write-queue.ts): in its own
 * savepoint, so it rolls back alone, or without one (optimistic), where the connection's
 * statement tally tells whether a failing job left anything in the transaction. Either way
 * its set-based timeline appends (timeline-batch.ts) join the batch only if it succeeds.
 */
import { PlatformError } from '@confide/protocol';
import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import { isLockConflict } from './db-errors.js';
import type { PartitionedJob } from './pending-jobs.js';
import { readAhead } from './read-ahead.js';
import type { Database } from './schema.js';
import type { StorageServices } from './services.js';
import { statementTally, type StatementTally } from './statement-tally.js';
import type { TimelineBatch } from './timeline-batch.js';
import type { RunOptions, WriteTx } from './write-queue.js';

/** How a dialect makes commits durable after the fact (SQLite: synchronous=NORMAL, then a WAL flush). */
export interface DeferredDurability {
  /** Runs one write transaction (`run` on the connection it is given) in the mode whose COMMIT does not wait for the disk. */
  deferred<T>(db: Kysely<Database>, run: (db: Kysely<Database>) => Promise<T>): Promise<T>;
  /** Resolves once every commit made before the call is on disk; rejects when that cannot be known. */
  sync(): Promise<void>;
}

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

/** Thrown inside the transaction callback to roll back a batch in which a job failed. */
export const ROLL_BACK = new Error('write batch rolled back');

/** One transaction's run of its jobs: how they run, and what the write queue learns from it. */
export interface JobsRun {
  services: StorageServices;
  savepoints: boolean;
  optimistic: boolean;
  /** The transaction's set-based timeline appends (timeline-batch.ts), when a job declared `setBased`. */
  batch: TimelineBatch | undefined;
  /** Rejects a job at once (it left nothing in the transaction). */
  refuse(job: Job, err: unknown): void;
  /** The job whose failure rolls the transaction back (set before `ROLL_BACK` is thrown). */
  failed: Job | undefined;
  /** Writing the set-based batch failed: the transaction rolls back with nobody to blame alone. */
  batchFailed: boolean;
}

/**
 * Runs the jobs of one transaction in order; throws `ROLL_BACK` (with `run.failed` set) to roll it back.
 * Set-based batches: the timeline appends of jobs that declare `setBased` (the Send API's
 * messages) wait in the transaction's `TimelineBatch` (timeline-batch.ts) and are written
 * together, each table once, before the next job that did not declare it and before COMMIT;
 * a failing job's appends are dropped with its savepoint. When writing the batch fails, the
 * transaction is rolled back and run again with every append written at once (`batchFailed`),
 * so the job to blame fails alone.
 */
export async function runTransactionJobs(trx: Transaction<Database>, jobs: Job[], run: JobsRun): Promise<void> {
  const { batch, savepoints } = run;
  const tally = savepoints || !run.optimistic ? undefined : await statementTally(trx);
  const ahead = await readAhead(trx, jobs);
  /** Writes the batch outside any job's savepoint: a failure there rolls back the transaction. */
  const writeBatch = async () => {
    try {
      await batch?.write(trx);
    } catch (err) {
      run.batchFailed = true;
      throw err;
    }
  };
  for (const job of jobs) {
    // A job that did not declare `setBased` sees every row appended before it.
    if (!job.setBased) await writeBatch();
    const tx: WriteTx = {
      ...run.services,
      db: trx,
      afterCommit: (e) => job.effects.push(e),
      ahead: ahead.take(job),
      batch: job.setBased ? batch : undefined,
    };
    if (savepoints) {
      await runInSavepoint(trx, job, tx, batch);
      continue;
    }
    const outcome = await runBare(job, tx, batch, tally);
    // Nothing of a failed job in the transaction: refused on its own, the others go on.
    if (outcome === 'no trace') run.refuse(job, job.error);
    if (outcome !== 'failed') continue;
    run.failed = job;
    throw ROLL_BACK;
  }
  await writeBatch();
}

/** The error a write gets once the queue cannot make commits durable (503). */
export function unavailable(cause: unknown): PlatformError {
  return new PlatformError('UNAVAILABLE', { cause, message: 'The database cannot make writes durable' });
}

/** A few milliseconds at random, so two transactions that deadlocked do not meet again at once. */
export const jitter = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.random() * 5));

/**
 * The write queue's commits waiting for their flush to disk (`DeferredDurability`, SQLite: the
 * transaction commits with synchronous=NORMAL, storage/db.ts, wal-sync.ts; its batch is answered
 * once the WAL flush that followed its COMMIT is done, in libuv's thread pool). At most one flush
 * runs and one waits, so one batch runs its transaction while the previous commit is flushed
 * (pipelined group commit); answers and effects keep commit order. A failed flush fails its batch
 * and every later write (503), and `failure` fails the health check: the hub must be restarted.
 * Without deferred durability, COMMIT itself is durable and nothing waits.
 */
export class Flushes {
  readonly #durability: DeferredDurability | undefined;
  readonly #onFailure: (error: unknown) => void;
  #unflushed = 0;
  /** Set once a commit could not be made durable: every write is refused from then on. */
  #failure: { error: unknown } | undefined;

  constructor(durability: DeferredDurability | undefined, onFailure: (error: unknown) => void) {
    this.#durability = durability;
    this.#onFailure = onFailure;
  }

  get failure(): { error: unknown } | undefined {
    return this.#failure;
  }

  /** Room for another batch's transaction: fewer than two commits waiting for their flush. */
  get room(): boolean {
    return this.#unflushed < 2;
  }

  /** Runs one write transaction, in the mode whose COMMIT does not wait for the disk when there is one. */
  run<T>(db: Kysely<Database>, transaction: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.#durability === undefined ? transaction(db) : this.#durability.deferred(db, transaction);
  }

  /** Waits for the flush after a commit while the next batch runs (`free`); a flush error fails the queue. */
  async onDisk(free: () => void, flushed: () => void): Promise<void> {
    if (this.#durability === undefined) return;
    const durable = this.#durability.sync();
    this.#unflushed += 1;
    free();
    try {
      await durable;
    } catch (error) {
      this.#failure ??= { error };
      this.#onFailure(error);
    } finally {
      this.#unflushed -= 1;
      flushed();
    }
  }
}

/**
 * The jobs of one group-commit transaction (storage/write-queue.ts): each in its own savepoint,
 * or, optimistic (PostgreSQL), without until one fails. A job that fails having left nothing in
 * the transaction (the connection's statement tally tells, storage/statement-tally.ts) is
 * refused on its own; one that fails after writing rolls the transaction back (`ROLL_BACK`).
 */
import { PlatformError } from '@confide/protocol';
import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import { isLockConflict } from './db-errors.js';
import { readAhead } from './read-ahead.js';
import type { Database } from './schema.js';
import type { StorageServices } from './services.js';
import { TALLY_SQL, type StatementTally } from './statement-tally.js';
import type { RunOptions, WriteTx } from './write-queue.js';

/** How a dialect makes commits durable after the fact (SQLite: synchronous=NORMAL, then a WAL flush). */
export interface DeferredDurability {
  /** Runs one write transaction (`run` on the connection it is given) in the mode whose COMMIT does not wait for the disk. */
  deferred<T>(db: Kysely<Database>, run: (db: Kysely<Database>) => Promise<T>): Promise<T>;
  /** Resolves once every commit made before the call is on disk; rejects when that cannot be known. */
  sync(): Promise<void>;
}

export interface Job {
  fn: (tx: WriteTx) => Promise<unknown>;
  readAhead: RunOptions['readAhead'];
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
const TALLY = CompiledQuery.raw(TALLY_SQL);

/** Thrown inside the transaction callback to roll back a batch in which a job failed. */
export const ROLL_BACK = new Error('write batch rolled back');

/** The connection's statement tally (storage/statement-tally.ts), when its driver keeps one. */
async function statementTally(trx: Transaction<Database>): Promise<StatementTally | undefined> {
  const row = (await trx.executeQuery<StatementTally>(TALLY)).rows[0];
  return row !== undefined && typeof row.writes === 'number' ? row : undefined;
}

export interface JobsRun {
  services: StorageServices;
  savepoints: boolean;
  optimistic: boolean;
  /** Rejects a job at once (it left nothing in the transaction). */
  refuse(job: Job, err: unknown): void;
  /** The job whose failure rolls the transaction back (set before `ROLL_BACK` is thrown). */
  failed: Job | undefined;
}

/** Runs the jobs of one transaction, in order; throws `ROLL_BACK` (with `run.failed` set) to roll it back. */
export async function runJobs(trx: Transaction<Database>, jobs: Job[], run: JobsRun): Promise<void> {
  const { savepoints } = run;
  const tally = savepoints || !run.optimistic ? undefined : await statementTally(trx);
  const ahead = await readAhead(trx, jobs);
  for (const job of jobs) {
    const tx: WriteTx = {
      ...run.services,
      db: trx,
      afterCommit: (e) => job.effects.push(e),
      ahead: ahead.take(job),
    };
    if (!savepoints) {
      const writes = tally?.writes;
      const errors = tally?.errors;
      try {
        job.result = await job.fn(tx);
        job.ok = true;
      } catch (err) {
        job.error = err;
        if (tally !== undefined && tally.writes === writes && tally.errors === errors && !isLockConflict(err)) {
          // Nothing of it in the transaction: refused on its own, the others go on.
          run.refuse(job, err);
          continue;
        }
        run.failed = job;
        throw ROLL_BACK;
      }
      continue;
    }
    await trx.executeQuery(SAVEPOINT);
    try {
      job.result = await job.fn(tx);
      job.ok = true;
      await trx.executeQuery(RELEASE);
    } catch (err) {
      job.ok = false;
      job.error = err;
      job.effects = [];
      await trx.executeQuery(ROLLBACK_TO);
      await trx.executeQuery(RELEASE);
    }
  }
}

/** The error a write gets once the queue cannot make commits durable (503). */
export function unavailable(cause: unknown): PlatformError {
  return new PlatformError('UNAVAILABLE', { cause, message: 'The database cannot make writes durable' });
}

/** A few milliseconds at random, so two transactions that deadlocked do not meet again at once. */
export function jitter(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
}

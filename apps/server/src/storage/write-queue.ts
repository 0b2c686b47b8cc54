/**
 * Group commit. Every write runs through `run()`: jobs that arrive while transactions are
 * in flight are committed together in the next one, one after another. A failing job rolls
 * back alone; a job's promise settles only after its transaction has committed, so an
 * acknowledged write is durable; `afterCommit` callbacks (bus publishes, wake-ups) run only
 * for jobs that committed.
 *
 * Two settings (storage/db.ts):
 * - `concurrency` (PostgreSQL; SQLite has one writer): several group-commit transactions in
 *   flight, each on its own pooled connection, never two with jobs of one partition (a
 *   customer; storage/pending-jobs.ts). A job that still loses a deadlock (40P01) or a
 *   serialization conflict (40001) is run again, up to `maxAttempts` times.
 * - `optimistic` (both): jobs run without savepoints (two statements fewer each; round trips on
 *   PostgreSQL). A job that fails having left nothing in the transaction (no write, no SQL
 *   error: the connection's statement tally tells, storage/statement-tally.ts) is rejected alone.
 *   When one fails after writing, the transaction is rolled back, that job is rejected with
 *   its error, and the others run again in a new transaction, each in its own savepoint.
 * Set-based batches: the timeline appends of jobs that declare `setBased` (the Send API's
 * messages) wait in the transaction's `TimelineBatch` (timeline-batch.ts) and are written
 * together, each table once, before the next job that did not declare it and before COMMIT;
 * a failing job's appends are dropped with its savepoint. When writing the batch fails, the
 * transaction is rolled back and run again with every append written at once, so the job
 * to blame fails alone (also when it failed only at COMMIT: timeline-batch.ts `answered`), unless
 * COMMIT had been pipelined behind it with no answer (storage/pipelined-commit.ts).
 * Both run a job's function more than once at times: a job must keep its effects outside
 * the database in `afterCommit` (or make them idempotent, like the vault's key creation).
 * What it spends outside (the Send API's rate-limit token) it spends again.
 */
import type { Kysely, Transaction } from 'kysely';
import { CommitLanes } from './commit-lanes.js';
import { CommitOrder } from './commit-order.js';
import { isAbortedTransaction, isLockConflict } from './db-errors.js';
import { PendingJobs } from './pending-jobs.js';
import { isCommitOutcomeUnknown } from './pipelined-commit.js';
import { readAhead, type ReadAheadSource } from './read-ahead.js';
import type { Database } from './schema.js';
import type { StorageServices } from './services.js';
import { TimelineBatch } from './timeline-batch.js';
import { statementTally } from './statement-tally.js';
import { newJob, runBare, runInSavepoint, type Job } from './write-job.js';

/** What a write job receives: the transaction, the storage services (the vault), a hook for post-commit effects. */
export interface WriteTx extends StorageServices {
  readonly db: Transaction<Database>;
  afterCommit(effect: () => void): void;
  /**
   * What the job's read-ahead found for its key (`{ row }`, `row` undefined when there is
   * none), or undefined when it was not read ahead (no read-ahead, or an earlier job of the
   * transaction may have changed it): the job then reads for itself.
   */
  readonly ahead: { row: unknown } | undefined;
  /**
   * For a job run with `setBased`: the transaction's batch its timeline appends wait in until
   * they are written set-based, before COMMIT (timeline/append.ts); undefined otherwise.
   */
  readonly batch: TimelineBatch | undefined;
}

export type { ReadAheadSource };

export interface RunOptions<K = unknown> {
  readAhead?: { source: ReadAheadSource<K>; key: K };
  /** Rows the job writes that others write too (its customer's, or several customers'): never in two transactions in flight (pending-jobs.ts). */
  partition?: string | readonly string[] | undefined;
  /**
   * The job's timeline appends may be written with the transaction's others, set-based, just
   * before COMMIT: it reads none of the timeline rows (messages, events, cursors, outbox) that
   * it or the transaction's other set-based jobs append, and needs no cursor before commit;
   * it changes no app (the batch keeps the pages' apps for routing, timeline-batch.ts).
   */
  setBased?: boolean;
}

export interface WriteQueueOptions {
  /** Transactions in flight at once (default 1; SQLite must keep 1). */
  concurrency?: number;
  /** Jobs run without savepoints until one fails (default false). */
  optimistic?: boolean;
  /** Runs of a job that keeps losing deadlocks or serialization conflicts (default 5). */
  maxAttempts?: number;
}

/** Largest number of jobs in one transaction. */
const MAX_BATCH = 512;

/** Thrown inside the transaction callback to roll back a batch in which a job failed. */
const ROLL_BACK = new Error('write batch rolled back');

/** The write queue runs a job again after a lock conflict (storage/db-errors.ts). */
export { isLockConflict as isRetryableWriteError };

export class WriteQueue {
  readonly #pending = new PendingJobs<Job>();
  #inFlight = 0;
  #scheduled = false;
  #idle: Array<() => void> = [];
  readonly #commitOrder = new CommitOrder();
  readonly #lanes: CommitLanes;
  #batches = 0;
  #jobs = 0;
  #retries = 0;
  #reruns = 0;

  private readonly db: Kysely<Database>;
  private readonly services: StorageServices;
  readonly concurrency: number;
  readonly #optimistic: boolean;
  readonly #maxAttempts: number;

  constructor(db: Kysely<Database>, services: StorageServices, options: WriteQueueOptions = {}) {
    this.db = db;
    this.services = services;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.#lanes = new CommitLanes(this.concurrency);
    this.#optimistic = options.optimistic ?? false;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  }

  /** Runs `fn` in a (shared) transaction; resolves after commit. */
  run<T, K = unknown>(fn: (tx: WriteTx) => Promise<T>, options: RunOptions<K> = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push(newJob(fn, options, { resolve: resolve as (v: unknown) => void, reject }));
      this.#schedule();
    });
  }

  /**
   * Batches and jobs committed so far (for metrics and benchmarks); jobs that lost a deadlock or
   * serialization conflict (`retries`); transactions run again for the same batch (`reruns`).
   */
  get stats(): { batches: number; jobs: number; retries: number; reruns: number } {
    return { batches: this.#batches, jobs: this.#jobs, retries: this.#retries, reruns: this.#reruns };
  }

  /** Waits until every queued write has settled. */
  async drain(): Promise<void> {
    while (this.#busy()) await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  #busy(): boolean {
    return this.#inFlight > 0 || this.#pending.length > 0;
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.concurrency) return;
    this.#scheduled = true;
    // Yield once so writes issued in the same tick share a transaction.
    setImmediate(() => {
      this.#scheduled = false;
      this.#dispatch();
    });
  }

  /** Starts batches while connections are free; a finished batch takes what queued meanwhile. */
  #dispatch(): void {
    while (this.#inFlight < this.concurrency && this.#pending.length > 0) {
      const batch = this.#pending.take(MAX_BATCH, this.concurrency > 1);
      if (batch.length === 0) return; // every waiting job's partition is in flight
      const lane = this.#lanes.admit(batch);
      // Jobs without a partition wait while isolated transactions are in flight (commit-lanes.ts).
      if (lane === undefined) return this.#pending.putBack(batch);
      this.#inFlight += 1;
      void this.#commit(batch, lane === 'isolated').finally(() => {
        this.#lanes.leave(lane);
        this.#pending.release(batch);
        this.#inFlight -= 1;
        this.#dispatch();
        if (!this.#busy()) for (const wake of this.#idle.splice(0)) wake();
      });
    }
  }

  /** `isolated`: no transaction in flight can conflict with this one, so COMMIT may be pipelined. */
  async #commit(batch: Job[], isolated: boolean): Promise<void> {
    let jobs = batch;
    let savepoints = !this.#optimistic && jobs.length > 1;
    let batched = true;
    for (let run = 0; ; run++) {
      // Jobs refused along the way (without trace, or out of attempts) are settled already.
      jobs = jobs.filter((job) => !job.settled);
      if (jobs.length === 0) return;
      if (run > 0) this.#reruns += 1;
      const outcome = await this.#transaction(jobs, { savepoints, batched, isolated });
      if (outcome.kind === 'committed') {
        // Effects (bus publishes) in the order the COMMITs were sent: with several
        // transactions in flight, their answers can come back out of order.
        const turn = this.#commitOrder.turn(outcome.ticket);
        if (turn !== undefined) await turn;
        try {
          this.#settle(jobs);
        } finally {
          this.#commitOrder.release(outcome.ticket);
        }
        return;
      }
      if (outcome.ticket !== undefined) this.#commitOrder.release(outcome.ticket);
      if (outcome.kind === 'batch failed') {
        // Writing the set-based batch failed, nobody to blame alone: again, each append at once.
        batched = false;
        savepoints = true;
        continue;
      }
      if (outcome.kind === 'job failed') {
        // Rolled back after a job failed without a savepoint, leaving writes or an SQL error
        // behind: nothing committed. The others run again, each in a savepoint; the failing
        // job is rejected unless it failed for want of another run (a lost conflict, or a
        // transaction an earlier job had aborted).
        const { job } = outcome;
        savepoints = true;
        if (isAbortedTransaction(job.error)) continue;
        if (isLockConflict(job.error)) {
          this.#lostConflict(job);
          await jitter();
          continue;
        }
        this.#refuse(job, job.error);
        continue;
      }
      const { err } = outcome;
      if (!savepoints && isAbortedTransaction(err)) {
        // COMMIT found the transaction aborted (a job swallowed an SQL error): isolate the jobs.
        savepoints = true;
        continue;
      }
      if (isLockConflict(err)) {
        for (const job of jobs) {
          job.error = err;
          this.#lostConflict(job);
        }
        await jitter();
        continue;
      }
      // The transaction itself failed: nothing committed.
      for (const job of jobs) if (!job.settled) this.#refuse(job, job.ok || job.error === undefined ? err : job.error);
      return;
    }
  }

  /** Runs `jobs` in one transaction, with or without a savepoint each. */
  async #transaction(
    jobs: Job[],
    { savepoints, batched, isolated }: { savepoints: boolean; batched: boolean; isolated: boolean },
  ): Promise<
    | { kind: 'committed'; ticket: number }
    | { kind: 'job failed'; job: Job; ticket?: undefined }
    | { kind: 'batch failed'; ticket: number | undefined }
    | { kind: 'transaction failed'; err: unknown; ticket: number | undefined }
  > {
    for (const job of jobs) {
      job.ok = false;
      job.effects = [];
      delete job.result;
      delete job.error;
    }
    const state = { failed: undefined as Job | undefined, ticket: undefined as number | undefined };
    const batch = batched && jobs.some((job) => job.setBased) ? new TimelineBatch() : undefined;
    try {
      await this.db.transaction().execute(async (trx) => {
        const tally = savepoints || !this.#optimistic ? undefined : await statementTally(trx);
        const ahead = await readAhead(trx, jobs, batch);
        for (const job of jobs) {
          // A job that did not declare `setBased` sees every row appended before it. The batch is
          // written outside any job's savepoint: a failure there rolls back the transaction.
          if (!job.setBased) await batch?.write(trx);
          const taken = ahead.take(job);
          const tx: WriteTx = {
            ...this.services,
            db: trx,
            afterCommit: (e) => job.effects.push(e),
            ahead: taken instanceof Promise ? await taken : taken,
            batch: job.setBased ? batch : undefined,
          };
          if (savepoints) {
            await runInSavepoint(trx, job, tx, batch);
            continue;
          }
          const run = await runBare(job, tx, batch, tally);
          // Nothing of a failed job in the transaction: refused on its own, the others go on.
          if (run === 'no trace') this.#refuse(job, job.error);
          if (run !== 'failed') continue;
          state.failed = job;
          throw ROLL_BACK;
        }
        await batch?.write(trx, isolated);
        // Kysely sends COMMIT next. A transaction that waited on a row lock of another gets here
        // after that one committed: tickets follow commits (a pipelined one: commit-lanes.ts).
        state.ticket = this.#commitOrder.take();
      });
    } catch (err) {
      // The batch's statements may fail at COMMIT or at a later job's statement: the batch is to blame.
      // Unless its COMMIT, pipelined behind it, may have committed (then: no second run).
      if (!isCommitOutcomeUnknown(err) && (await batch?.failed()))
        return { kind: 'batch failed', ticket: state.ticket };
      if (err === ROLL_BACK && state.failed !== undefined) return { kind: 'job failed', job: state.failed };
      return { kind: 'transaction failed', err, ticket: state.ticket };
    }
    // Answered with COMMIT at the latest (deferred.ts); committed, so none of them failed.
    await batch?.answered().catch(() => undefined);
    return { kind: 'committed', ticket: state.ticket as number };
  }

  #refuse(job: Job, err: unknown): void {
    job.settled = true;
    job.reject(err);
  }

  /** Counts a lost conflict; a job out of attempts is rejected with its error. */
  #lostConflict(job: Job): void {
    job.attempts += 1;
    this.#retries += 1;
    if (job.attempts >= this.#maxAttempts) this.#refuse(job, job.error);
  }

  /** After commit: answers, post-commit effects, and another run for jobs that lost a conflict. */
  #settle(jobs: Job[]): void {
    this.#batches += 1;
    const again: Job[] = [];
    for (const job of jobs) {
      if (job.settled) continue;
      if (!job.ok) {
        if (!isLockConflict(job.error)) this.#refuse(job, job.error);
        else {
          this.#lostConflict(job);
          if (!job.settled) again.push(job);
        }
        continue;
      }
      this.#jobs += 1;
      job.settled = true;
      job.resolve(job.result);
      for (const effect of job.effects) {
        // Post-commit effects are best effort (e.g. a bus publish); the write stands.
        try {
          effect();
        } catch {}
      }
    }
    if (again.length > 0) {
      // Ahead of newer writes, so a write that lost a conflict does not fall behind later ones.
      this.#pending.unshift(again);
      this.#schedule();
    }
  }
}

/** A few milliseconds at random, so two transactions that deadlocked do not meet again at once. */
const jitter = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.random() * 5));

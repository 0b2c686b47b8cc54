/**
 * Group commit. Every write runs through `run()`: jobs that arrive while transactions are
 * in flight are committed together in the next one, one after another. A failing job rolls
 * back alone; a job's promise settles only after its transaction has committed, so an
 * acknowledged write is durable; `afterCommit` callbacks (bus publishes, wake-ups) run only
 * for jobs that committed.
 *
 * SQLite has one writer: one transaction at a time, each job of a shared transaction in its own
 * savepoint. On PostgreSQL every statement is a round trip, so two settings apply (storage/db.ts):
 * - `concurrency`: several group-commit transactions in flight at once, each on its own
 *   pooled connection, never two with jobs of one partition (a customer; storage/pending-jobs.ts).
 *   A job that still loses a deadlock (40P01) or a serialization conflict (40001) is run again,
 *   up to `maxAttempts` times.
 * - `optimistic`: jobs run without savepoints (two round trips fewer each). A job that fails
 *   having left nothing in the transaction (no write, no SQL error: the connection's
 *   statement tally tells, storage/statement-tally.ts) is rejected and the others go on.
 *   When one fails after writing, the transaction is rolled back, that job is rejected with
 *   its error, and the others run again in a new transaction, each in its own savepoint.
 * SQLite commits with `durability` (Flushes, write-job.ts): answered once the WAL flush after
 * COMMIT is done; set-based timeline appends are written once per batch (runTransactionJobs).
 * Both run a job's function more than once at times: a job must keep its effects outside
 * the database in `afterCommit` (or make them idempotent, like the vault's key creation).
 * What it spends outside (the Send API's rate-limit token) it spends again.
 */
import type { Kysely, Transaction } from 'kysely';
import { CommitOrder } from './commit-order.js';
import { isAbortedTransaction, isLockConflict } from './db-errors.js';
import { PendingJobs } from './pending-jobs.js';
import type { ReadAheadSource } from './read-ahead.js';
import type { Database } from './schema.js';
import type { StorageServices } from './services.js';
import { TimelineBatch } from './timeline-batch.js';
import { Flushes, jitter, ROLL_BACK, runTransactionJobs, unavailable } from './write-job.js';
import type { DeferredDurability, Job, JobsRun } from './write-job.js';

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
  /** Rows the job writes that others write too (its customer's): never in two transactions in flight (pending-jobs.ts). */
  partition?: string | undefined;
  /**
   * The job's timeline appends may be written with the transaction's others, set-based, just
   * before COMMIT: it reads none of the timeline rows (messages, events, cursors, outbox) that
   * it or the transaction's other set-based jobs append, and needs no cursor before commit.
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
  /** Commits that reach the disk after COMMIT returns (SQLite, storage/db.ts); absent: COMMIT itself is durable. */
  durability?: DeferredDurability;
}

/** Largest number of jobs in one transaction. */
const MAX_BATCH = 512;

/** The write queue runs a job again after a lock conflict (storage/db-errors.ts). */
export { isLockConflict as isRetryableWriteError };

export class WriteQueue {
  readonly #pending = new PendingJobs<Job>();
  /** Batches: holding a transaction slot, committed and waiting for the flush to disk, not yet settled. */
  #inFlight = 0;
  #open = 0;
  #scheduled = false;
  #idle: Array<() => void> = [];
  readonly #commitOrder = new CommitOrder();
  #batches = 0;
  #jobs = 0;
  #retries = 0;
  #reruns = 0;

  private readonly db: Kysely<Database>;
  private readonly services: StorageServices;
  readonly concurrency: number;
  readonly #optimistic: boolean;
  readonly #maxAttempts: number;
  readonly #flushes: Flushes;

  constructor(db: Kysely<Database>, services: StorageServices, options: WriteQueueOptions = {}) {
    this.db = db;
    this.services = services;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.#optimistic = options.optimistic ?? false;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.#flushes = new Flushes(options.durability, (error) => {
      for (const job of this.#pending.take(Number.MAX_SAFE_INTEGER, false)) this.#refuse(job, unavailable(error));
    });
  }

  /** Why the queue refuses every write, once a commit could not be made durable. */
  get failure(): { error: unknown } | undefined {
    return this.#flushes.failure;
  }

  /** Runs `fn` in a (shared) transaction; resolves after commit. */
  run<T, K = unknown>(fn: (tx: WriteTx) => Promise<T>, options: RunOptions<K> = {}): Promise<T> {
    const failure = this.#flushes.failure;
    if (failure !== undefined) return Promise.reject(unavailable(failure.error));
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({
        fn,
        readAhead: options.readAhead as RunOptions['readAhead'],
        setBased: options.setBased ?? false,
        partition: options.partition,
        resolve: resolve as (v: unknown) => void,
        reject,
        effects: [],
        ok: false,
        attempts: 0,
        settled: false,
      });
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
    return this.#open > 0 || this.#pending.length > 0;
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
    // One batch's transaction while the previous one's commit is flushed: the next takes what queued meanwhile.
    while (this.#inFlight < this.concurrency && this.#flushes.room && this.#pending.length > 0) {
      const batch = this.#pending.take(MAX_BATCH, this.concurrency > 1);
      if (batch.length === 0) return; // every waiting job's partition is in flight
      this.#inFlight += 1;
      this.#open += 1;
      let holding = true;
      // Frees the batch's transaction slot: once settled, or once committed if a flush follows.
      const free = () => {
        if (!holding) return;
        holding = false;
        this.#inFlight -= 1;
        this.#dispatch();
      };
      void this.#commit(batch, free).finally(() => {
        this.#pending.release(batch);
        this.#open -= 1;
        free();
        if (!this.#busy()) for (const wake of this.#idle.splice(0)) wake();
      });
    }
  }

  async #commit(batch: Job[], free: () => void): Promise<void> {
    let jobs = batch;
    let savepoints = !this.#optimistic && jobs.length > 1;
    let batched = true;
    for (let run = 0; ; run++) {
      // Jobs refused along the way (without trace, or out of attempts) are settled already.
      jobs = jobs.filter((job) => !job.settled);
      if (jobs.length === 0) return;
      if (run > 0) this.#reruns += 1;
      const outcome = await this.#transaction(jobs, savepoints, batched);
      if (outcome.kind === 'committed') return this.#committed(jobs, outcome.ticket, free);
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

  /** After COMMIT: once on disk, answers and effects in the order the COMMITs were sent. */
  async #committed(jobs: Job[], ticket: number, free: () => void): Promise<void> {
    await this.#flushes.onDisk(free, () => this.#dispatch());
    // With several transactions in flight, their answers can come back out of order.
    const turn = this.#commitOrder.turn(ticket);
    if (turn !== undefined) await turn;
    try {
      const failure = this.#flushes.failure;
      // Committed but not known to be on disk (this flush or an earlier one failed): never acknowledged.
      if (failure === undefined) this.#settle(jobs);
      else for (const job of jobs) if (!job.settled) this.#refuse(job, unavailable(failure.error));
    } finally {
      this.#commitOrder.release(ticket);
    }
  }

  /** Runs `jobs` in one transaction, with or without a savepoint each. */
  async #transaction(
    jobs: Job[],
    savepoints: boolean,
    batched: boolean,
  ): Promise<
    | { kind: 'committed'; ticket: number }
    | { kind: 'job failed'; job: Job; ticket?: undefined }
    | { kind: 'batch failed'; ticket?: undefined }
    | { kind: 'transaction failed'; err: unknown; ticket: number | undefined }
  > {
    for (const job of jobs) {
      job.ok = false;
      job.effects = [];
      delete job.result;
      delete job.error;
    }
    const run: JobsRun = {
      services: this.services,
      savepoints,
      optimistic: this.#optimistic,
      batch: batched && jobs.some((job) => job.setBased) ? new TimelineBatch() : undefined,
      refuse: (job, err) => this.#refuse(job, err),
      failed: undefined,
      batchFailed: false,
    };
    const state: { ticket: number | undefined } = { ticket: undefined };
    const transaction = (db: Kysely<Database>) =>
      db.transaction().execute(async (trx) => {
        await runTransactionJobs(trx, jobs, run);
        // Kysely sends COMMIT right after this returns. A transaction that waited on a row
        // lock of another can only get here after that one committed, so tickets follow the
        // order in which conflicting transactions commit.
        state.ticket = this.#commitOrder.take();
      });
    try {
      await this.#flushes.run(this.db, transaction);
    } catch (err) {
      if (err === ROLL_BACK && run.failed !== undefined) return { kind: 'job failed', job: run.failed };
      if (run.batchFailed) return { kind: 'batch failed' };
      return { kind: 'transaction failed', err, ticket: state.ticket };
    }
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

/**
 * Group commit. Every write runs through `run()`: jobs that arrive while a transaction
 * is in flight are committed together in the next one, each inside its own savepoint so
 * one failing job rolls back alone. A job's promise settles only after its transaction
 * has committed, so an acknowledged write is durable; `afterCommit` callbacks (bus
 * publishes, wake-ups) run only for jobs that committed.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Vault } from '../privacy/vault.js';
import type { Database } from './schema.js';

/** What a write job receives: the transaction and a hook for post-commit effects. */
export interface WriteTx {
  readonly db: Transaction<Database>;
  /** Seals content before it is written (privacy/vault.ts). */
  readonly vault: Vault;
  afterCommit(effect: () => void): void;
}

interface Job {
  fn: (tx: WriteTx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  effects: Array<() => void>;
  ok: boolean;
  result?: unknown;
  error?: unknown;
}

/** Largest number of jobs in one transaction. */
const MAX_BATCH = 512;

export class WriteQueue {
  #pending: Job[] = [];
  #running: Promise<void> | null = null;
  #batches = 0;
  #jobs = 0;

  private readonly db: Kysely<Database>;
  private readonly vault: Vault;
  constructor(db: Kysely<Database>, vault: Vault) {
    this.db = db;
    this.vault = vault;
  }

  /** Runs `fn` in a (shared) transaction; resolves after commit. */
  run<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ fn, resolve: resolve as (v: unknown) => void, reject, effects: [], ok: false });
      if (this.#running === null) this.#running = this.#loop();
    });
  }

  /** Batches and jobs committed so far (for metrics and benchmarks). */
  get stats(): { batches: number; jobs: number } {
    return { batches: this.#batches, jobs: this.#jobs };
  }

  /** Waits until every queued write has settled. */
  async drain(): Promise<void> {
    while (this.#running !== null) await this.#running;
  }

  async #loop(): Promise<void> {
    // Yield once so writes issued in the same tick share the first transaction.
    await new Promise<void>((r) => setImmediate(r));
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, MAX_BATCH);
        await this.#commit(batch);
      }
    } finally {
      this.#running = null;
    }
  }

  async #commit(batch: Job[]): Promise<void> {
    const single = batch.length === 1;
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const job of batch) {
          const tx: WriteTx = { db: trx, vault: this.vault, afterCommit: (e) => job.effects.push(e) };
          if (single) {
            job.result = await job.fn(tx);
            job.ok = true;
            continue;
          }
          await sql`savepoint confide_job`.execute(trx);
          try {
            job.result = await job.fn(tx);
            job.ok = true;
            await sql`release savepoint confide_job`.execute(trx);
          } catch (err) {
            job.error = err;
            job.effects = [];
            await sql`rollback to savepoint confide_job`.execute(trx);
            await sql`release savepoint confide_job`.execute(trx);
          }
        }
      });
    } catch (err) {
      // The transaction itself failed (or the single job threw): nothing committed.
      for (const job of batch) job.reject(job.ok || job.error === undefined ? err : job.error);
      return;
    }
    this.#batches += 1;
    this.#jobs += batch.length;
    for (const job of batch) {
      if (!job.ok) {
        job.reject(job.error);
        continue;
      }
      job.resolve(job.result);
      for (const effect of job.effects) {
        try {
          effect();
        } catch {
          // Post-commit effects are best effort (e.g. a bus publish); the write stands.
        }
      }
    }
  }
}

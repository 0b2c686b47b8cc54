/**
 * The poll loop of the workers whose jobs are rows (push_jobs, sms_jobs): every `pollMs` it
 * leases the rows due now (so several hub processes never work one twice, and a restart resumes
 * where the last process stopped) and works each on its own, so a slow or failing one never holds
 * up the others. `tick()` runs one round by hand (tests with an injected clock, pollMs 0).
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from './schema.js';
import type { WriteQueue } from './write-queue.js';

/** Tables of leased jobs: an `id`, the time it is `due_at` and a `lease_until`. */
export type LeasedJobTable = 'push_jobs' | 'sms_jobs';

export interface PollingWorkerOptions {
  /** Names the worker in its logs (`push`, `sms`). */
  name: string;
  storage: { db: Kysely<Database>; writes: Pick<WriteQueue, 'run'> };
  log: Pick<Logger, 'warn'>;
  now: () => number;
  table: LeasedJobTable;
  /** Poll interval; 0 = no timer (tests call `tick`). */
  pollMs: number;
  /** Jobs leased per round. */
  batch: number;
  /** How long a lease holds a job before another process may take it over. */
  leaseMs: number;
  /** Works the leased job `id`; an error is logged and the job waits for its lease to end. */
  work: (id: string, now: number) => Promise<void>;
  /** Runs on a round with nothing due (housekeeping). */
  idle?: (now: number) => Promise<void>;
}

export class PollingWorker {
  readonly #o: PollingWorkerOptions;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<unknown> = Promise.resolve();
  #stopped = false;

  constructor(options: PollingWorkerOptions) {
    this.#o = options;
  }

  start(): void {
    if (this.#o.pollMs > 0) this.#schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running.catch(() => undefined);
  }

  /** Works every job due now; answers how many were leased. */
  async tick(): Promise<number> {
    const run = this.#tick();
    this.#running = run;
    return run;
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      void this.tick()
        .catch((err: unknown) => this.#o.log.warn({ err }, `${this.#o.name} worker tick failed`))
        .finally(() => {
          if (!this.#stopped) this.#schedule();
        });
    }, this.#o.pollMs);
    this.#timer.unref();
  }

  async #tick(): Promise<number> {
    const now = this.#o.now();
    const ids = await this.#claim(now);
    if (ids.length === 0) {
      await this.#o.idle?.(now);
      return 0;
    }
    await Promise.allSettled(
      ids.map((id) =>
        this.#o.work(id, now).catch((err: unknown) => this.#o.log.warn({ err, job: id }, `${this.#o.name} job failed`)),
      ),
    );
    return ids.length;
  }

  /** Leases the rows due now; answers the ids this process won. */
  async #claim(now: number): Promise<string[]> {
    // Both tables have the same lease columns; one of them names the shape for the query builder.
    const table = this.#o.table as 'push_jobs';
    const due = await this.#o.storage.db
      .selectFrom(table)
      .select('id')
      .where('due_at', '<=', now)
      .where('lease_until', '<=', now)
      .orderBy('due_at')
      .limit(this.#o.batch)
      .execute();
    if (due.length === 0) return [];
    return this.#o.storage.writes.run(async (tx) => {
      const won: string[] = [];
      for (const { id } of due) {
        const res = await tx.db
          .updateTable(table)
          .set({ lease_until: now + this.#o.leaseMs })
          .where('id', '=', id)
          .where('lease_until', '<=', now)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) === 1) won.push(id);
      }
      return won;
    });
  }
}

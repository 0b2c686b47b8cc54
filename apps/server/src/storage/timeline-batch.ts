/**
 * Set-based timeline writes for a group commit (write-queue.ts). A job that declares
 * `setBased` hands its appends (timeline-store.ts commands) to the transaction's batch
 * instead of writing them; the batch writes them together, each table once
 * (`TimelineStore.appendBatch`), before the next job that did not declare it and before
 * COMMIT, so every other job sees every row appended before it.
 *
 * A job's appends join the batch only when the job succeeds (its savepoint released, or it
 * ran without one and did not fail); a job that fails takes its appends with it. Outcomes
 * (the cursor, the apps that got an outbox row) are filled once the batch's statements
 * answered (`answered()`: at the latest with COMMIT), before post-commit effects read them.
 * On the SQLite writer thread the statements are sent with the statement after them that is
 * waited for (storage/deferred.ts), usually the transaction's COMMIT: their failure then shows
 * as that statement's (the COMMIT fails, and does not take effect), and `failed()` tells the
 * write queue that the batch, not a job, is to blame.
 *
 * The batch also keeps the apps of the pages its jobs' webhook events are routed to
 * (`routes`, timeline-store.ts `RouteCache`), so a Send API message costs no read of its page's
 * apps: emptied at every `write()`, even of an empty batch, which the write queue calls before
 * each job that is not set-based (one that may subscribe or create an app), and gone with the
 * transaction (a new one gets a new batch).
 */
import type { Kysely } from 'kysely';
import { answerOf } from './deferred.js';
import { keepRoutes } from './outbox-routing.js';
import type { Database } from './schema.js';
import { timelineStoreOf, type AppendCommand, type AppendOutcome, type RouteCache } from './timeline-store.js';

interface Pending {
  command: AppendCommand;
  outcome: AppendOutcome;
}

export class TimelineBatch {
  /** Appends of jobs that succeeded, not yet written. */
  #kept: Pending[] = [];
  /** Appends of the job running now. */
  #open: Pending[] = [];
  #routes: RouteCache = new Map();
  /** Each write's outcomes, filled (or failed) once its statements answered. */
  #answers: Array<Promise<void>> = [];

  /** The pages' apps read since the last `write()`, for routing this stretch's webhook events. */
  get routes(): RouteCache {
    return this.#routes;
  }

  /**
   * Reads the apps of `pageIds` into `routes` before the transaction's jobs run (the Send API's
   * read-ahead: read-ahead.ts), when the store routes by reading them; sent without waiting
   * (storage/deferred.ts), so on the writer thread it goes with the read-ahead's statement.
   * `answered` settles once they are in; await it before any job runs.
   */
  async readRoutes(db: Kysely<Database>, pageIds: readonly string[]): Promise<{ answered: Promise<void> }> {
    const { readApps } = timelineStoreOf(db);
    const missing = pageIds.filter((pageId) => !this.#routes.has(pageId));
    if (readApps === undefined || missing.length === 0) return { answered: Promise.resolve() };
    return keepRoutes(missing, answerOf(await readApps(db, missing)), this.#routes);
  }

  /** Takes a job's commands; their outcomes are filled once the batch is written (before COMMIT). */
  add(commands: readonly AppendCommand[]): AppendOutcome[] {
    return commands.map((command) => {
      const outcome: AppendOutcome = { seq: null, apps: [] };
      this.#open.push({ command, outcome });
      return outcome;
    });
  }

  /** The running job succeeded: its appends join the batch. */
  keep(): void {
    for (const pending of this.#open) this.#kept.push(pending);
    this.#open = [];
  }

  /** The running job failed (its savepoint rolled back): its appends are dropped. */
  drop(): void {
    this.#open = [];
  }

  /**
   * Writes what succeeded jobs appended, set-based, inside the transaction `db` belongs to. The
   * outcomes are filled once the statements answered: on the SQLite writer thread that is with
   * the transaction's next statement waited for, its COMMIT at the latest (storage/deferred.ts);
   * `answered()` tells when, and whether they failed. `commitFollows`: the transaction ends with
   * this write (see `TimelineStore.appendBatch`).
   */
  async write(db: Kysely<Database>, commitFollows = false): Promise<void> {
    // Still valid for this write (only set-based jobs ran since the last one), not after it.
    const routes = this.#routes;
    this.#routes = new Map();
    const pending = this.#kept;
    if (pending.length === 0) return;
    this.#kept = [];
    let outcomes: Promise<AppendOutcome[]>;
    try {
      ({ outcomes } = await timelineStoreOf(db).appendBatch(
        db,
        pending.map((p) => p.command),
        routes,
        { commitFollows },
      ));
    } catch (err) {
      // Failed before any answer (in process, or a read on the thread): `failed()` tells too.
      const failure = Promise.reject(err as Error);
      failure.catch(() => undefined);
      this.#answers.push(failure);
      throw err;
    }
    const filled = outcomes.then((written) =>
      pending.forEach((p, i) => {
        const outcome = written[i];
        if (outcome === undefined) throw new Error('timeline batch: an outcome is missing');
        p.outcome.seq = outcome.seq;
        p.outcome.apps = outcome.apps;
      }),
    );
    // Read by `answered()`; never an unhandled rejection meanwhile.
    filled.catch(() => undefined);
    this.#answers.push(filled);
  }

  /**
   * Settles once every write's statements answered and its outcomes are filled; rejects with
   * the first failure among them (the transaction then cannot commit: write-queue.ts runs it
   * again with every append written at once). The write queue waits for it after COMMIT,
   * before post-commit effects read the outcomes, and after a failed transaction, to tell a
   * failed batch from a failed job.
   */
  async answered(): Promise<void> {
    await Promise.all(this.#answers);
  }

  /** Whether a write failed (threw, or its statements failed), once every write's statements answered (the transaction has ended). */
  failed(): Promise<boolean> {
    return this.answered().then(
      () => false,
      () => true,
    );
  }
}

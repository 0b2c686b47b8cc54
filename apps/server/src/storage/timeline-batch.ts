/**
 * Set-based timeline writes for a group commit (write-queue.ts). A job that declares
 * `setBased` hands its appends (timeline-store.ts commands) to the transaction's batch
 * instead of writing them; the batch writes them together, each table once
 * (`TimelineStore.appendBatch`), before the next job that did not declare it and before
 * COMMIT, so every other job sees every row appended before it.
 *
 * A job's appends join the batch only when the job succeeds (its savepoint released, or it
 * ran without one and did not fail); a job that fails takes its appends with it. Outcomes
 * (the cursor, the apps that got an outbox row) are filled when the batch is written, before
 * COMMIT, so post-commit effects can read them.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { timelineStoreOf, type AppendCommand, type AppendOutcome } from './timeline-store.js';

interface Pending {
  command: AppendCommand;
  outcome: AppendOutcome;
}

export class TimelineBatch {
  /** Appends of jobs that succeeded, not yet written. */
  #kept: Pending[] = [];
  /** Appends of the job running now. */
  #open: Pending[] = [];

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

  /** Writes what succeeded jobs appended, set-based, inside the transaction `db` belongs to. */
  async write(db: Kysely<Database>): Promise<void> {
    const pending = this.#kept;
    if (pending.length === 0) return;
    this.#kept = [];
    const outcomes = await timelineStoreOf(db).appendBatch(
      db,
      pending.map((p) => p.command),
    );
    pending.forEach((p, i) => {
      const outcome = outcomes[i];
      if (outcome === undefined) throw new Error('timeline batch: an outcome is missing');
      p.outcome.seq = outcome.seq;
      p.outcome.apps = outcome.apps;
    });
  }
}

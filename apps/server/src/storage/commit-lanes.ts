/**
 * Which group-commit transactions may have their COMMIT pipelined behind their last statement
 * (storage/pipelined-commit.ts) without breaking "post-commit effects in commit order".
 *
 * The write queue orders effects by a ticket taken before COMMIT (commit-order.ts). That follows
 * the order in which two conflicting transactions commit only because the one that waited on the
 * other's row lock reaches the ticket after the other committed, and the other sent its COMMIT
 * after taking its ticket. A pipelined COMMIT is sent before the ticket is taken, so its
 * transaction must have nobody to conflict with: it is `isolated` when every job in it names its
 * partition (pending-jobs.ts: no other transaction in flight writes those rows) and no transaction
 * in flight holds a job without one. A batch with such a job waits while isolated transactions are
 * in flight, and no new isolated one starts meanwhile (so it cannot starve). With one transaction
 * at a time (SQLite, or concurrency 1) there is nobody to conflict with.
 */
export type Lane =
  /** Nobody in flight can conflict: the COMMIT may be pipelined. */
  | 'isolated'
  /** Holds a job without a partition: isolated transactions wait until it ends. */
  | 'open'
  /** Every job partitioned, but running beside an `open` transaction: not isolated either. */
  | 'beside';

export class CommitLanes {
  readonly #single: boolean;
  #isolated = 0;
  #open = 0;

  constructor(concurrency: number) {
    this.#single = concurrency <= 1;
  }

  /** The lane `batch` runs in, or undefined when it must wait for the isolated ones in flight. */
  admit(batch: readonly { partition: unknown }[]): Lane | undefined {
    if (this.#single) return 'isolated';
    const open = batch.some((job) => job.partition === undefined);
    if (open && this.#isolated > 0) return undefined;
    if (open) {
      this.#open += 1;
      return 'open';
    }
    if (this.#open > 0) return 'beside';
    this.#isolated += 1;
    return 'isolated';
  }

  /** `batch` of `admit` has ended (committed or not). */
  leave(lane: Lane): void {
    if (this.#single) return;
    if (lane === 'isolated') this.#isolated -= 1;
    else if (lane === 'open') this.#open -= 1;
  }
}

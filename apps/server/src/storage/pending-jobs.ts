/**
 * The write queue's waiting jobs (storage/write-queue.ts), partitioned. A job may name its
 * partition: the rows it writes that other jobs write too, most often its customer's (the event
 * counter the timeline bumps, the conversation's row), or a hot row of its own (a page token). With several transactions in flight (PostgreSQL), a batch takes no job
 * of a partition another batch in flight holds, so two transactions never wait on each other's
 * counter: no deadlock between them and no lock queue, and a partition's jobs commit in the
 * order they were queued (a conversation's messages in order, its customer's cursors gapless).
 * A job without a partition may meet a batch's locks; the write queue runs it again if it loses
 * a deadlock. With one transaction at a time, jobs go in arrival order and partitions are not read.
 */
export interface PartitionedJob {
  /** One partition, or several for a job that writes several customers' rows (a set-based flush). */
  readonly partition: string | readonly string[] | undefined;
}

/** The partitions a job holds while its batch is in flight. */
const partitionsOf = (job: PartitionedJob): readonly string[] =>
  job.partition === undefined ? [] : typeof job.partition === 'string' ? [job.partition] : job.partition;

export class PendingJobs<J extends PartitionedJob> {
  #jobs: J[] = [];
  /** Partitions of the batches in flight. */
  readonly #held = new Set<string>();

  get length(): number {
    return this.#jobs.length;
  }

  push(job: J): void {
    this.#jobs.push(job);
  }

  /** Back at the head (jobs that lost a conflict go before newer ones). */
  unshift(jobs: J[]): void {
    this.#jobs.unshift(...jobs);
  }

  /**
   * The next batch, up to `max` jobs in arrival order; with `partitioned`, without the jobs of
   * partitions in flight (they keep their place) and holding the batch's partitions until
   * `release(batch)`. Empty when every waiting job's partition is in flight.
   */
  take(max: number, partitioned: boolean): J[] {
    // Nothing in flight holds a partition: the first `max` jobs, as without partitions.
    if (!partitioned || this.#held.size === 0) {
      const batch = this.#jobs.splice(0, max);
      if (partitioned) this.#hold(batch);
      return batch;
    }
    const batch: J[] = [];
    const left: J[] = [];
    for (const job of this.#jobs) {
      if (batch.length < max && partitionsOf(job).every((p) => !this.#held.has(p))) batch.push(job);
      else left.push(job);
    }
    this.#jobs = left;
    this.#hold(batch);
    return batch;
  }

  /** A batch taken but not started: its partitions released, its jobs back at the head. */
  putBack(batch: J[]): void {
    this.release(batch);
    this.unshift(batch);
  }

  release(batch: readonly J[]): void {
    for (const job of batch) for (const p of partitionsOf(job)) this.#held.delete(p);
  }

  #hold(batch: readonly J[]): void {
    for (const job of batch) for (const p of partitionsOf(job)) this.#held.add(p);
  }
}

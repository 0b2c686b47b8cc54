/** Read-ahead for group commit (storage/write-queue.ts): rows many jobs of a transaction need, in one statement. */
import type { Transaction } from 'kysely';
import type { Database } from './schema.js';
import type { TimelineBatch } from './timeline-batch.js';

/**
 * Rows many jobs need, read for all the jobs of a transaction in one statement at its start
 * instead of one statement each (a round trip each on PostgreSQL). The contract: a job that
 * declares a read-ahead of a source does not change what that source reads for other jobs.
 * Any other job running earlier in the transaction makes the rows read ahead stale for the
 * jobs after it, for which they are read again (`readAhead`).
 */
export interface ReadAheadSource<K> {
  /**
   * The rows of `keys` (distinct by `id`), by `id(key)`; keys without a row are absent.
   * `batch`: the transaction's set-based batch, if any, whose routing it may read ahead too.
   */
  load(db: Transaction<Database>, keys: K[], batch: TimelineBatch | undefined): Promise<Map<string, unknown>>;
  id(key: K): string;
}

/** What read-ahead needs of a job: the source and key it declared, if any. */
export interface ReadAheadJob {
  readonly readAhead: { source: ReadAheadSource<unknown>; key: unknown } | undefined;
}

/**
 * Reads ahead for the jobs of a transaction; `take(job)` answers in job order (see
 * ReadAheadSource). When a job finds its source's rows stale (another job ran in between), the
 * source is read again for it and the jobs after it, in one statement, instead of each job
 * reading for itself (a round trip each on the SQLite writer thread).
 */
export async function readAhead<J extends ReadAheadJob>(
  trx: Transaction<Database>,
  jobs: readonly J[],
  batch?: TimelineBatch,
): Promise<{ take(job: J): Taken | Promise<Taken> }> {
  // `take` answers at once unless it must read again: no promise per job of a large transaction.
  const none = { take: () => undefined };
  // A lone job reads for itself: no gain in reading ahead.
  if (jobs.length < 2) return none;
  const rows = await load(trx, jobs, batch);
  if (rows.size === 0) return none;
  const stale = new Set<ReadAheadSource<unknown>>();
  const answer = (job: J, mine: ReadAheadSource<unknown> | undefined): Taken => {
    const found = mine === undefined ? undefined : { row: rows.get(mine)?.get(mine.id(job.readAhead?.key)) };
    // Whatever this job does may change what the sources it did not declare read.
    for (const source of rows.keys()) if (source !== mine) stale.add(source);
    return found;
  };
  return {
    take(job) {
      const mine = job.readAhead?.source;
      if (mine === undefined || !stale.has(mine)) return answer(job, mine);
      // Read again, for this job and the later ones of its source.
      const later = jobs.slice(Math.max(0, jobs.indexOf(job)));
      return load(
        trx,
        later.filter((other) => other.readAhead?.source === mine),
      ).then((fresh) => {
        rows.set(mine, fresh.get(mine) ?? new Map());
        stale.delete(mine);
        return answer(job, mine);
      });
    },
  };
}

/** What a job finds read ahead (see WriteTx `ahead`). */
type Taken = { row: unknown } | undefined;

/** The rows of the jobs' keys, by source (each source read in one `load`). */
async function load<J extends ReadAheadJob>(
  trx: Transaction<Database>,
  jobs: readonly J[],
  batch?: TimelineBatch,
): Promise<Map<ReadAheadSource<unknown>, Map<string, unknown>>> {
  const bySource = new Map<ReadAheadSource<unknown>, Map<string, unknown>>();
  for (const job of jobs) {
    if (job.readAhead === undefined) continue;
    const { source, key } = job.readAhead;
    let keys = bySource.get(source);
    if (keys === undefined) bySource.set(source, (keys = new Map()));
    keys.set(source.id(key), key);
  }
  const rows = new Map<ReadAheadSource<unknown>, Map<string, unknown>>();
  for (const [source, keys] of bySource) rows.set(source, await source.load(trx, [...keys.values()], batch));
  return rows;
}

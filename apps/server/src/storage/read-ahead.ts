/** Read-ahead for group commit (storage/write-queue.ts): rows many jobs of a transaction need, in one statement. */
import type { Transaction } from 'kysely';
import type { Database } from './schema.js';

/**
 * Rows many jobs need, read for all the jobs of a transaction in one statement at its start
 * instead of one statement each (a round trip each on PostgreSQL). The contract: a job that
 * declares a read-ahead of a source does not change what that source reads for other jobs.
 * Any other job running earlier in the transaction makes the rows read ahead stale for the
 * jobs after it, which read for themselves.
 */
export interface ReadAheadSource<K> {
  /** The rows of `keys` (distinct by `id`), by `id(key)`; keys without a row are absent. */
  load(db: Transaction<Database>, keys: K[]): Promise<Map<string, unknown>>;
  id(key: K): string;
}

/** What read-ahead needs of a job: the source and key it declared, if any. */
export interface ReadAheadJob {
  readonly readAhead: { source: ReadAheadSource<unknown>; key: unknown } | undefined;
}

/** Reads ahead for the jobs of a transaction; `take(job)` answers in job order (see ReadAheadSource). */
export async function readAhead<J extends ReadAheadJob>(
  trx: Transaction<Database>,
  jobs: readonly J[],
): Promise<{ take(job: J): { row: unknown } | undefined }> {
  const bySource = new Map<ReadAheadSource<unknown>, Map<string, unknown>>();
  for (const job of jobs) {
    if (job.readAhead === undefined) continue;
    const { source, key } = job.readAhead;
    let keys = bySource.get(source);
    if (keys === undefined) bySource.set(source, (keys = new Map()));
    keys.set(source.id(key), key);
  }
  const none = { take: () => undefined };
  // A lone job reads for itself: no gain in reading ahead.
  if (bySource.size === 0 || jobs.length < 2) return none;
  const rows = new Map<ReadAheadSource<unknown>, Map<string, unknown>>();
  for (const [source, keys] of bySource) rows.set(source, await source.load(trx, [...keys.values()]));
  const stale = new Set<ReadAheadSource<unknown>>();
  return {
    take(job) {
      // Whatever ran before this job may have changed what the sources it did not declare read.
      const mine = job.readAhead?.source;
      const answer =
        mine === undefined || stale.has(mine) ? undefined : { row: rows.get(mine)?.get(mine.id(job.readAhead?.key)) };
      for (const source of rows.keys()) if (source !== mine) stale.add(source);
      return answer;
    },
  };
}

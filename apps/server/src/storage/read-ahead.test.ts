/** Read-ahead for group commit (read-ahead.ts): answers at once when fresh, reads again once stale. */
import type { Transaction } from 'kysely';
import { describe, expect, it } from 'vitest';
import { readAhead, type ReadAheadJob, type ReadAheadSource } from './read-ahead.js';
import type { Database } from './schema.js';

const trx = {} as Transaction<Database>;

function source(loads: string[][]): ReadAheadSource<string> {
  return {
    id: (key) => key,
    load(_db, keys) {
      loads.push(keys);
      return Promise.resolve(new Map(keys.map((key) => [key, `row ${key}`])));
    },
  };
}

const job = (src: ReadAheadSource<string> | undefined, key: string): ReadAheadJob => ({
  readAhead: src === undefined ? undefined : { source: src as ReadAheadSource<unknown>, key },
});

describe('readAhead', () => {
  it('answers each job at once, without a promise, while its rows are fresh', async () => {
    const loads: string[][] = [];
    const rows = source(loads);
    const jobs = [job(rows, 'a'), job(rows, 'b'), job(rows, 'c')];
    const ahead = await readAhead(trx, jobs);
    expect(jobs.map((j) => ahead.take(j))).toEqual([{ row: 'row a' }, { row: 'row b' }, { row: 'row c' }]);
    expect(loads).toEqual([['a', 'b', 'c']]);
  });

  it('reads again, once, for the jobs after one that did not declare the source', async () => {
    const loads: string[][] = [];
    const rows = source(loads);
    const jobs = [job(rows, 'a'), job(undefined, ''), job(rows, 'b'), job(rows, 'c')];
    const ahead = await readAhead(trx, jobs);
    expect(ahead.take(jobs[0] as ReadAheadJob)).toEqual({ row: 'row a' });
    expect(ahead.take(jobs[1] as ReadAheadJob)).toBeUndefined();
    const stale = ahead.take(jobs[2] as ReadAheadJob);
    expect(stale).toBeInstanceOf(Promise);
    expect(await stale).toEqual({ row: 'row b' });
    expect(ahead.take(jobs[3] as ReadAheadJob)).toEqual({ row: 'row c' });
    expect(loads).toEqual([
      ['a', 'b', 'c'],
      ['b', 'c'],
    ]);
  });
});

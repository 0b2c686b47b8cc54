import { describe, expect, it } from 'vitest';
import { PendingJobs } from './pending-jobs.js';

const job = (name: string, partition?: string | string[]) => ({ name, partition });
const names = (jobs: Array<{ name: string }>) => jobs.map((j) => j.name);

describe('PendingJobs (the write queue’s waiting jobs)', () => {
  it('never gives a partition in flight to another batch; its jobs keep their order and go once it is released', () => {
    const pending = new PendingJobs<ReturnType<typeof job>>();
    for (const j of [job('a1', 'a'), job('b1', 'b'), job('a2', 'a'), job('x'), job('c1', 'c')]) pending.push(j);
    const first = pending.take(2, true);
    expect(names(first)).toEqual(['a1', 'b1']);
    pending.push(job('b2', 'b'));
    // a and b are in flight: the second batch takes what has no partition or a free one.
    const second = pending.take(10, true);
    expect(names(second)).toEqual(['x', 'c1']);
    expect(pending.take(10, true)).toEqual([]);
    pending.release(first);
    expect(names(pending.take(10, true))).toEqual(['a2', 'b2']);
  });

  it('a batch cut at its size holds the partitions it took, so a later job of one waits', () => {
    const pending = new PendingJobs<ReturnType<typeof job>>();
    for (const j of [job('a1', 'a'), job('a2', 'a'), job('b1', 'b')]) pending.push(j);
    const first = pending.take(1, true);
    expect(names(first)).toEqual(['a1']);
    expect(names(pending.take(5, true))).toEqual(['b1']);
    pending.release(first);
    expect(names(pending.take(5, true))).toEqual(['a2']);
  });

  it('a job of several partitions waits while any of them is in flight, and holds them all', () => {
    const pending = new PendingJobs<ReturnType<typeof job>>();
    for (const j of [job('b1', 'b'), job('abc', ['a', 'b', 'c']), job('c1', 'c'), job('d1', 'd')]) pending.push(j);
    const first = pending.take(1, true);
    expect(names(first)).toEqual(['b1']);
    // b is in flight: the job of a, b and c waits; c and d are free.
    const second = pending.take(10, true);
    expect(names(second)).toEqual(['c1', 'd1']);
    pending.release(first);
    expect(pending.take(10, true)).toEqual([]); // c is still in flight
    pending.release(second);
    const third = pending.take(10, true);
    expect(names(third)).toEqual(['abc']);
    pending.push(job('a2', 'a'));
    expect(pending.take(10, true)).toEqual([]);
    pending.release(third);
    expect(names(pending.take(10, true))).toEqual(['a2']);
  });

  it('with one transaction at a time, takes in arrival order and ignores partitions', () => {
    const pending = new PendingJobs<ReturnType<typeof job>>();
    for (const j of [job('a1', 'a'), job('a2', 'a'), job('b1', 'b')]) pending.push(j);
    expect(names(pending.take(2, false))).toEqual(['a1', 'a2']);
    expect(names(pending.take(2, false))).toEqual(['b1']);
  });

  it('puts jobs that lost a conflict back at the head', () => {
    const pending = new PendingJobs<ReturnType<typeof job>>();
    pending.push(job('new', 'n'));
    pending.unshift([job('old', 'o')]);
    expect(names(pending.take(5, true))).toEqual(['old', 'new']);
  });
});

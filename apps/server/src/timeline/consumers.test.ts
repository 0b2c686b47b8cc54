/** The timeline's consumer registry (consumers.ts): in order, each after the one before, a promise only when one waits. */
import { describe, expect, it } from 'vitest';
import type { Bus } from '../bus/bus.js';
import type { WriteTx } from '../storage/write-queue.js';
import { TimelineConsumers, type MessageAppended } from './consumers.js';

const tx = {} as WriteTx;
const bus = {} as Bus;
const fact = (mid: string) => ({ entry: {}, message: { mid } }) as unknown as MessageAppended;

describe('TimelineConsumers', () => {
  it('hands every fact to every consumer without a promise when none returns one', () => {
    const log: string[] = [];
    const consumers = new TimelineConsumers();
    consumers.onAppended((_tx, _bus, f) => void log.push(`a ${f.message.mid}`));
    consumers.onAppended((_tx, _bus, f) => void log.push(`b ${f.message.mid}`));
    expect(consumers.deliver(tx, bus, [fact('1'), fact('2')])).toBeUndefined();
    expect(log).toEqual(['a 1', 'b 1', 'a 2', 'b 2']);
  });

  it('runs each consumer after the one before has finished, in registration order, fact by fact', async () => {
    const log: string[] = [];
    const consumers = new TimelineConsumers();
    consumers.onAppended((_tx, _bus, f) => void log.push(`a ${f.message.mid}`));
    consumers.onAppended(
      (_tx, _bus, f) =>
        new Promise<void>((resolve) => setTimeout(() => resolve(void log.push(`slow ${f.message.mid}`)), 5)),
    );
    consumers.onAppended((_tx, _bus, f) => void log.push(`c ${f.message.mid}`));
    const pending = consumers.deliver(tx, bus, [fact('1'), fact('2')]);
    expect(pending).toBeInstanceOf(Promise);
    await pending;
    expect(log).toEqual(['a 1', 'slow 1', 'c 1', 'a 2', 'slow 2', 'c 2']);
  });

  it('stops at a consumer that fails', async () => {
    const log: string[] = [];
    const consumers = new TimelineConsumers();
    consumers.onAppended(() => Promise.reject(new Error('no')));
    consumers.onAppended(() => void log.push('after'));
    await expect(consumers.deliver(tx, bus, [fact('1')])).rejects.toThrow('no');
    expect(log).toEqual([]);
  });
});

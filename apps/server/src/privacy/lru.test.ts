import { afterEach, describe, expect, it, vi } from 'vitest';
import { Lru } from './lru.js';

function cache(max = 3, maxAgeMs = 1_000) {
  let now = 0;
  const lru = new Lru<string>(max, maxAgeMs, () => now);
  return { lru, advance: (ms: number) => (now += ms) };
}

describe('Lru', () => {
  afterEach(() => vi.restoreAllMocks());

  it('evicts the least recently used entry, counting reads as uses', () => {
    const { lru } = cache(3);
    lru.set('a', 'A');
    lru.set('b', 'B');
    lru.set('c', 'C');
    expect(lru.get('a')).toBe('A'); // a is now the newest; b the oldest
    lru.set('d', 'D');
    expect(lru.get('b')).toBeUndefined();
    expect(lru.keys()).toEqual(['c', 'a', 'd']);
    expect(lru.get('c')).toBe('C');
    lru.set('e', 'E');
    expect(lru.keys()).toEqual(['d', 'c', 'e']);
    expect(lru.size).toBe(3);
  });

  it('evicts by true recency, not by when an entry was inserted or first re-read', () => {
    const { lru } = cache(2);
    lru.set('a', 'A');
    lru.set('b', 'B');
    lru.get('b');
    lru.get('a'); // a was read last: b is the least recently used
    lru.set('c', 'C');
    expect(lru.get('a')).toBe('A');
    expect(lru.get('b')).toBeUndefined();
  });

  it('moves a replaced entry to the newest end and refreshes its age', () => {
    const { lru, advance } = cache(2, 1_000);
    lru.set('a', 'A');
    lru.set('b', 'B');
    advance(900);
    lru.set('a', 'A2');
    lru.set('c', 'C');
    expect(lru.keys()).toEqual(['a', 'c']);
    advance(900);
    expect(lru.get('a')).toBe('A2');
    expect(lru.size).toBe(2);
  });

  it('drops entries older than the maximum age, or than the age a read asks for', () => {
    const { lru, advance } = cache(3, 1_000);
    lru.set('a', 'A');
    lru.set('b', 'B');
    advance(600);
    expect(lru.get('a', 500)).toBeUndefined(); // too old for this read: dropped
    expect(lru.keys()).toEqual(['b']);
    expect(lru.get('b', 5_000)).toBe('B'); // a longer age than the cache's is capped by it
    advance(500);
    expect(lru.get('b', 5_000)).toBeUndefined();
    expect(lru.size).toBe(0);
    lru.set('c', 'C');
    expect(lru.keys()).toEqual(['c']);
  });

  it('deletes single keys, prefixes and everything, keeping the order of the rest', () => {
    const { lru } = cache(5);
    for (const k of ['customer:1', 'conversation:1:a', 'conversation:1:b', 'conversation:2:a', 'hub:blobs'])
      lru.set(k, k);
    lru.deletePrefix('conversation:1:');
    expect(lru.keys()).toEqual(['customer:1', 'conversation:2:a', 'hub:blobs']);
    lru.delete('customer:1');
    lru.delete('missing');
    expect(lru.keys()).toEqual(['conversation:2:a', 'hub:blobs']);
    lru.set('x', 'X');
    expect(lru.keys()).toEqual(['conversation:2:a', 'hub:blobs', 'x']);
    lru.clear();
    expect(lru.size).toBe(0);
    expect(lru.keys()).toEqual([]);
    lru.set('y', 'Y');
    expect(lru.get('y')).toBe('Y');
  });

  it('answers a hit without writing to the Map (only a miss on an expired entry removes one)', () => {
    const { lru } = cache(100);
    for (let i = 0; i < 50; i++) lru.set(`k${i}`, `v${i}`);
    const set = vi.spyOn(Map.prototype, 'set');
    const del = vi.spyOn(Map.prototype, 'delete');
    for (let i = 0; i < 50; i++) expect(lru.get(`k${(i * 7) % 50}`)).toBe(`v${(i * 7) % 50}`);
    expect(set).not.toHaveBeenCalled();
    expect(del).not.toHaveBeenCalled();
  });

  it('matches a reference LRU over a long mixed workload', () => {
    const { lru } = cache(10);
    const reference: string[] = []; // a plain LRU, oldest first
    for (let i = 0; i < 2_000; i++) {
      const key = `k${(i * 7919) % 37}`;
      if (i % 3 === 0) {
        const hit = lru.get(key);
        expect(hit === undefined).toBe(!reference.includes(key));
        if (hit !== undefined) {
          reference.splice(reference.indexOf(key), 1);
          reference.push(key);
        }
      } else {
        lru.set(key, key);
        if (reference.includes(key)) reference.splice(reference.indexOf(key), 1);
        reference.push(key);
        if (reference.length > 10) reference.shift();
      }
      expect(lru.keys()).toEqual(reference);
    }
  });
});

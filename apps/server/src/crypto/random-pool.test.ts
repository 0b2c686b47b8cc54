import { describe, expect, it } from 'vitest';
import { pooledRandomBase64url, pooledRandomFill } from './random-pool.js';

describe('random pool', () => {
  it('fills exactly the bytes asked for, in place, and never the same bytes twice', () => {
    const seen = new Set<string>();
    // 700 draws of 12 bytes: the 4 KiB pool is refilled twice on the way.
    for (let i = 0; i < 700; i++) {
      const target = Buffer.alloc(20, 0xee);
      pooledRandomFill(target, 4, 12);
      expect(target.subarray(0, 4).equals(Buffer.alloc(4, 0xee))).toBe(true);
      expect(target.subarray(16).equals(Buffer.alloc(4, 0xee))).toBe(true);
      seen.add(target.subarray(4, 16).toString('hex'));
    }
    expect(seen.size).toBe(700);
  });

  it('gives base64url text of n random bytes', () => {
    const a = pooledRandomBase64url(12);
    expect(a).toMatch(/^[\w-]{16}$/);
    expect(pooledRandomBase64url(12)).not.toBe(a);
  });
});

import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './backoff.js';

describe('retryDelayMs', () => {
  const opts = { baseMs: 1_000, capMs: 300_000 };

  it('draws from [0, base·2^(n-1)], the full jitter window', () => {
    expect(retryDelayMs(1, { ...opts, random: () => 0 })).toBe(0);
    expect(retryDelayMs(1, { ...opts, random: () => 0.999_999 })).toBe(1_000);
    expect(retryDelayMs(4, { ...opts, random: () => 0.999_999 })).toBe(8_000);
    expect(retryDelayMs(4, { ...opts, random: () => 0.5 })).toBe(4_000);
  });

  it('never exceeds the cap, even after many attempts', () => {
    expect(retryDelayMs(9, { ...opts, random: () => 0.999_999 })).toBe(256_000);
    expect(retryDelayMs(10, { ...opts, random: () => 0.999_999 })).toBe(300_000);
    expect(retryDelayMs(10_000, { ...opts, random: () => 0.999_999 })).toBe(300_000);
  });
});

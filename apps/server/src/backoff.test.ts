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

  it('with equal jitter, stays in [ceiling/2, ceiling) (the NATS reconnect loop)', () => {
    const nats = { baseMs: 250, capMs: 10_000, jitter: 'equal' } as const;
    expect(retryDelayMs(1, { ...nats, random: () => 0 })).toBe(125);
    expect(retryDelayMs(3, { ...nats, random: () => 0.5 })).toBe(750);
    expect(retryDelayMs(30, { ...nats, random: () => 0 })).toBe(5_000);
    expect(retryDelayMs(30, { ...nats, random: () => 0.999_999 })).toBeLessThan(10_000);
  });
});

import { describe, expect, it } from 'vitest';
import { backoffDelay } from './stream';

describe('backoffDelay', () => {
  it('doubles from 250–500 ms and caps at 15 s, jittered within the upper half', () => {
    expect(backoffDelay(0, () => 0)).toBe(250);
    expect(backoffDelay(0, () => 1)).toBe(500);
    expect(backoffDelay(3, () => 1)).toBe(4000);
    expect(backoffDelay(20, () => 0)).toBe(7500);
    expect(backoffDelay(20, () => 1)).toBe(15000);
  });
});

import { describe, expect, it } from 'vitest';
import { isLuhnValid, randomScopedId, safeEqual } from './tokens.js';

describe('tokens', () => {
  it('recognises Luhn-valid card-like numbers', () => {
    expect(isLuhnValid('4111111111111111')).toBe(true);
    expect(isLuhnValid('4111111111111112')).toBe(false);
    expect(isLuhnValid('79927398713')).toBe(true);
  });

  it('mints 16-digit PSIDs that never pass the Luhn check', () => {
    for (let i = 0; i < 5000; i++) {
      const psid = randomScopedId();
      expect(psid).toMatch(/^[1-9]\d{15}$/);
      expect(isLuhnValid(psid)).toBe(false);
      expect(isLuhnValid(randomScopedId(15))).toBe(false);
    }
  });

  it('compares secrets of different lengths without throwing', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { isLuhnValid, newSortableId, randomScopedId, safeEqual } from './tokens.js';

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

  it('mints message ids that sort by creation time and stay unguessable', () => {
    const t = Date.UTC(2026, 10, 23);
    const ids = [t, t + 1, t + 1, t + 1000, t + 86_400_000].map((ms) => newSortableId('m', 12, ms));
    expect([...ids].sort()).toEqual(ids.slice(0, 1).concat([...ids.slice(1, 3)].sort(), ids.slice(3)));
    for (const id of ids) expect(id).toMatch(/^m_[0-9a-f]{12}[A-Za-z0-9_-]{16}$/);
    expect(new Set(Array.from({ length: 10_000 }, () => newSortableId('m', 12, t))).size).toBe(10_000);
  });
});

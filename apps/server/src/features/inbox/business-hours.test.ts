import { describe, expect, it } from 'vitest';
import { BusinessHoursSchema, describeOpening, isOpen, nextOpening } from './business-hours.js';

const hours = BusinessHoursSchema.parse({ tz: 'Europe/London', open: '09:00', close: '17:00', days: [1, 2, 3, 4, 5] });

describe('business hours', () => {
  it('is open on weekdays in the zone, closed at night and on weekends', () => {
    expect(isOpen(hours, Date.UTC(2026, 11, 7, 10, 0))).toBe(true); // Monday 10:00 GMT
    expect(isOpen(hours, Date.UTC(2026, 11, 7, 17, 0))).toBe(false);
    expect(isOpen(hours, Date.UTC(2026, 11, 5, 12, 0))).toBe(false); // Saturday
    // Summer time: 08:30 UTC is 09:30 in London.
    expect(isOpen(hours, Date.UTC(2026, 6, 6, 8, 30))).toBe(true);
  });

  it('finds the next opening, across the weekend and summer time', () => {
    const friday = Date.UTC(2026, 11, 4, 18, 0);
    const opening = nextOpening(hours, friday);
    expect(opening).toBe(Date.UTC(2026, 11, 7, 9, 0));
    expect(describeOpening(hours, opening ?? 0)).toBe('Monday 09:00');
    expect(nextOpening(hours, Date.UTC(2026, 6, 6, 5, 0))).toBe(Date.UTC(2026, 6, 6, 8, 0));
  });

  it('refuses a bad zone, time or day, and close before open', () => {
    for (const bad of [
      { tz: 'Mars/Base', open: '09:00', close: '17:00', days: [1] },
      { tz: 'UTC', open: '9:00', close: '17:00', days: [1] },
      { tz: 'UTC', open: '09:00', close: '17:00', days: [0] },
      { tz: 'UTC', open: '18:00', close: '17:00', days: [1] },
      { tz: 'UTC', open: '09:00', close: '17:00', days: [] },
    ]) {
      expect(BusinessHoursSchema.safeParse(bad).success).toBe(false);
    }
  });
});

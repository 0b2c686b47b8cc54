/**
 * Business hours of a team: open from `open` to `close` (local "HH:MM") on `days` (ISO weekdays,
 * 1 = Monday) in the IANA time zone `tz`. Outside them, a hand-over to the team tells the
 * customer when someone will answer.
 */
import { z } from 'zod';

const Time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/u, 'a time as HH:MM');
export const BusinessHoursSchema = z
  .object({
    tz: z.string().refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-GB', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'an IANA time zone'),
    open: Time,
    close: Time,
    days: z.array(z.number().int().min(1).max(7)).min(1).max(7),
  })
  .strict()
  .refine((h) => h.open < h.close, 'open before close');
export type BusinessHours = z.infer<typeof BusinessHoursSchema>;

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const DAY = 86_400_000;

/** The local date, ISO weekday and "HH:MM" of instant `at` in `tz`. */
function local(at: number, tz: string): { y: number; m: number; d: number; weekday: number; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return {
    y: Number(parts['year']),
    m: Number(parts['month']),
    d: Number(parts['day']),
    weekday: WEEKDAYS.indexOf(String(parts['weekday'])) + 1,
    time: `${parts['hour']}:${parts['minute']}`,
  };
}

/** The instant of local wall time y-m-d hh:mm in `tz` (one correction for the zone's offset). */
function instantOf(y: number, m: number, d: number, hhmm: string, tz: string): number {
  const [h, min] = hhmm.split(':').map(Number) as [number, number];
  const guess = Date.UTC(y, m - 1, d, h, min);
  const seen = local(guess, tz);
  const [sh, sm] = seen.time.split(':').map(Number) as [number, number];
  const offset = Date.UTC(seen.y, seen.m - 1, seen.d, sh, sm) - guess;
  return guess - offset;
}

/** Whether the team is open at `at`. */
export function isOpen(hours: BusinessHours, at: number): boolean {
  const now = local(at, hours.tz);
  return hours.days.includes(now.weekday) && now.time >= hours.open && now.time < hours.close;
}

/** The next opening after `at` (within a week), as an instant. */
export function nextOpening(hours: BusinessHours, at: number): number | undefined {
  for (let i = 0; i <= 7; i++) {
    const day = local(at + i * DAY, hours.tz);
    if (!hours.days.includes(day.weekday)) continue;
    const opening = instantOf(day.y, day.m, day.d, hours.open, hours.tz);
    if (opening > at) return opening;
  }
  return undefined;
}

/** "Monday 09:00" in the team's zone, for the customer. */
export function describeOpening(hours: BusinessHours, at: number): string {
  const day = local(at, hours.tz);
  const names = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
  return `${names[day.weekday - 1]} ${day.time}`;
}

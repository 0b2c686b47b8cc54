/**
 * @module send-api/text
 * Length checks that count characters (code points), as Meta's limits do, not UTF-16 units.
 */
import { z } from 'zod';

/** Number of characters (Unicode code points) in `s`. */
export function charCount(s: string): number {
  let n = 0;
  for (const _ of s) n += 1;
  return n;
}

/** A string of at most `max` characters (code points). */
export function maxChars(max: number, min = 0) {
  return z
    .string()
    .refine((s) => charCount(s) >= min, {
      message: min === 1 ? 'must not be empty' : `must be at least ${min} characters`,
    })
    .refine((s) => charCount(s) <= max, { message: `must be at most ${max} characters` });
}

/** An absolute http(s) URL. */
export const HttpUrlSchema = z
  .string()
  .max(2048)
  .refine((s) => /^https?:\/\/[^\s]+$/i.test(s) && URL.canParse(s), { message: 'must be an absolute http(s) URL' });

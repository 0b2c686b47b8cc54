/**
 * Scalars as Graph accepts them: a form or query string carries every value as text
 * (`is_reusable=true`, `elements[0][price]=12.5`), so booleans and numbers are also accepted
 * in their usual spellings and decoded to the values a JSON body would give.
 */
import { z } from 'zod';

/** `true`/`false`, or `"true"`/`"false"`/`"1"`/`"0"` from a form. */
export const graphBoolean = () =>
  z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((s) => s === 'true' || s === '1')]);

/** A finite number, or its decimal spelling from a form. */
export const graphNumber = () =>
  z.union([
    z.number().finite(),
    z
      .string()
      .regex(/^-?\d{1,15}(\.\d{1,15})?$/, 'must be a number')
      .transform(Number),
  ]);

/** An integer, or its decimal spelling from a form. */
export const graphInteger = () =>
  z.union([
    z.number().int(),
    z
      .string()
      .regex(/^-?\d{1,15}$/, 'must be an integer')
      .transform(Number),
  ]);

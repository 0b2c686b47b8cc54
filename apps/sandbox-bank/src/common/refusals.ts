/** The `refusals` table shared by both sandboxes: one row per proactive update the hub refused. */
import type { Generated, Kysely } from 'kysely';
import type { RefusalRecord } from './proactive.js';

export interface RefusalsTableShape {
  id: Generated<number>;
  at: number;
  psid: string;
  tag: string;
  /** The utility template refused; null on rows from before templates. */
  template: string | null;
  category: string;
  reason: string;
  code: number | null;
  subcode: number | null;
  context: string;
}

/** A writer for {@link ProactiveSender}'s `recordRefusal`. */
export function refusalRecorder<DB extends { refusals: RefusalsTableShape }>(
  db: Kysely<DB>,
): (r: RefusalRecord) => Promise<void> {
  // Kysely cannot insert through a generic table map; the constraint above keeps this cast honest.
  const narrowed = db as unknown as Kysely<{ refusals: RefusalsTableShape }>;
  return async (r) => {
    await narrowed.insertInto('refusals').values(r).execute();
  };
}

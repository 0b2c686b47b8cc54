/**
 * The shared counters behind the leased rate limit: one `send_rate_windows` row per page
 * and one-second window (migration 008). A lease is one atomic upsert, so processes racing
 * for the same window are serialised by the row and `used` never passes the limit.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';

export interface RateWindowStore {
  /**
   * Takes up to `want` calls of the page's window, never letting the window's total pass
   * `limit`; resolves with how many were granted (0 when the window is used up).
   */
  lease(pageId: string, windowStart: number, want: number, limit: number): Promise<number>;
  /** Deletes the windows that started before `before`. */
  sweep(before: number): Promise<void>;
}

export class SqlRateWindowStore implements RateWindowStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async lease(pageId: string, windowStart: number, want: number, limit: number): Promise<number> {
    const first = Math.max(0, Math.min(want, limit));
    // In DO UPDATE, `send_rate_windows.used` is the row before this statement: `granted`
    // and the new `used` are both computed from it.
    const used = sql.ref('send_rate_windows.used');
    const w = sql`cast(${want} as integer)`;
    const l = sql`cast(${limit} as integer)`;
    const row = await this.#db
      .insertInto('send_rate_windows')
      .values({ page_id: pageId, window_start: windowStart, used: first, granted: first })
      .onConflict((oc) =>
        oc.columns(['page_id', 'window_start']).doUpdateSet({
          granted: sql<number>`case when ${used} + ${w} <= ${l} then ${w} when ${used} < ${l} then ${l} - ${used} else 0 end`,
          used: sql<number>`case when ${used} + ${w} <= ${l} then ${used} + ${w} when ${used} < ${l} then ${l} else ${used} end`,
        }),
      )
      .returning('granted')
      .executeTakeFirstOrThrow();
    return Number(row.granted);
  }

  async sweep(before: number): Promise<void> {
    await this.#db.deleteFrom('send_rate_windows').where('window_start', '<', before).execute();
  }
}

/**
 * The shared failed-attempt counters (`login_attempts`, migration 012). Each operation is one
 * statement, atomic on its own in SQLite (one writer) and in PostgreSQL (the row lock of an
 * `INSERT … ON CONFLICT DO UPDATE`), so processes racing for the same key are serialised by
 * the row and a window never holds more than `max` reservations.
 *
 * Statements run outside the write queue: a reservation must count before the password is
 * verified, whatever happens to any other write.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';

/** A reservation held on one key: release it with the same window. */
export interface Reservation {
  id: string;
  windowStart: number;
}

export class AttemptStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /**
   * Counts one more attempt on `id` unless its window already holds `max`; a lapsed window
   * (started `windowMs` or more before `now`) starts over at `now`.
   * @returns the reservation, or undefined when the key is blocked.
   */
  async reserve(id: string, now: number, max: number, windowMs: number): Promise<Reservation | undefined> {
    // In DO UPDATE, `login_attempts.*` is the row before this statement.
    const lapsed = sql<boolean>`${sql.ref('login_attempts.window_start')} <= ${sql`cast(${now - windowMs} as bigint)`}`;
    const row = await this.#db
      .insertInto('login_attempts')
      .values({ id, window_start: now, failures: 1 })
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet({
            failures: sql<number>`case when ${lapsed} then 1 else ${sql.ref('login_attempts.failures')} + 1 end`,
            window_start: sql<number>`case when ${lapsed} then ${sql`cast(${now} as bigint)`} else ${sql.ref('login_attempts.window_start')} end`,
          })
          .where((eb) => eb.or([lapsed, eb('login_attempts.failures', '<', max)])),
      )
      .returning('window_start')
      .executeTakeFirst();
    return row === undefined ? undefined : { id, windowStart: Number(row.window_start) };
  }

  /** Gives a reservation back (its window still running). */
  async release(reservation: Reservation): Promise<void> {
    await this.#db
      .updateTable('login_attempts')
      .set({ failures: sql<number>`failures - 1` })
      .where('id', '=', reservation.id)
      .where('window_start', '=', reservation.windowStart)
      .where('failures', '>', 0)
      .execute();
  }

  /** Forgets every attempt on `id` (a right password). */
  async clear(id: string): Promise<void> {
    await this.#db.deleteFrom('login_attempts').where('id', '=', id).execute();
  }

  /** When the window of a blocked key started (undefined when it has none). */
  async windowStart(id: string): Promise<number | undefined> {
    const row = await this.#db
      .selectFrom('login_attempts')
      .select('window_start')
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? undefined : Number(row.window_start);
  }

  /** Deletes the windows that started before `before`. */
  async sweep(before: number): Promise<void> {
    await this.#db.deleteFrom('login_attempts').where('window_start', '<', before).execute();
  }
}

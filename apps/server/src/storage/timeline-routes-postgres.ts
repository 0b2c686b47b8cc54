/**
 * Outbox routing on PostgreSQL (timeline-postgres.ts): the statements route every webhook event
 * themselves, in their own snapshot. The pages' apps, read with a set-based batch's read-ahead
 * (timeline-batch.ts `readRoutes`; deferred, so in the same write and round trip as the
 * recipients' read), serve only to tell which events no app gets, so that their
 * payloads are neither built nor sealed nor sent: on the Send API with no app listening, that
 * was a payload encrypted and shipped per message for nothing. Such an event is still handed
 * to the statement, unsealed (timeline-store.ts `routesOnWrite`): an app subscribed since the
 * read (another transaction committed in between) gets it there, its null payload fails the NOT
 * NULL of `webhook_outbox.payload`, and the write queue writes the batch again with every event
 * sealed (write-queue.ts), so no app misses an event the statement routes to it.
 */
import { sql } from 'kysely';
import { DEFERRABLE } from './deferred.js';
import { routeTo } from './outbox-routing.js';
import { preparedSql } from './timeline-statements.js';
import type { TimelineStore } from './timeline-store.js';

// Deferrable (deferred.ts): sent with the read-ahead's statement after it, in one write.
const appsOfPages = preparedSql<
  { pageIds: string[] },
  { page_id: string; id: string; subscribed_fields: string; webhook_url: string | null }
>(
  (p) =>
    sql`${sql.raw(DEFERRABLE)}select page_id, id, subscribed_fields, webhook_url from apps
      where page_id = any(${p('pageIds')}::text[])`,
);

/** `readApps`: the apps of the pages, in one deferrable statement. */
export const readApps: NonNullable<TimelineStore['readApps']> = (db, pageIds) =>
  appsOfPages.run(db, { pageIds: [...pageIds] });

/** False only when `routes` has the page's apps and none gets the event; true when unsure. */
export const mayDeliver: TimelineStore['mayDeliver'] = (_db, outbox, routes) => {
  const known = routes?.get(outbox.pageId);
  return known === undefined || routeTo(known, outbox).length > 0;
};

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
 *
 * Since that guard holds however old the read is, the apps of a page read by one transaction
 * serve the transactions after it for `APPS_KEPT_MS` (a statement fewer per group commit, for
 * the hub and the backend): an app subscribed meanwhile costs a batch written twice, and a
 * failed batch forgets what was kept (`forgetApps`), so the rerun and the transactions after it
 * read afresh; an app unsubscribed meanwhile costs payloads sealed for nothing until then.
 */
import { sql, type Kysely } from 'kysely';
import { answerOf, DEFERRABLE, type DeferredResult } from './deferred.js';
import { routeTo } from './outbox-routing.js';
import type { Database } from './schema.js';
import { preparedSql } from './timeline-statements.js';
import type { PageAppRow, TimelineStore } from './timeline-store.js';

// Deferrable (deferred.ts): sent with the read-ahead's statement after it, in one write.
const appsOfPages = preparedSql<{ pageIds: string[] }, PageAppRow>(
  (p) =>
    sql`${sql.raw(DEFERRABLE)}select page_id, id, subscribed_fields, webhook_url from apps
      where page_id = any(${p('pageIds')}::text[])`,
);

/** How long a page's apps, once read, serve later transactions instead of a read of their own. */
export const APPS_KEPT_MS = 1_000;

interface KeptApps {
  /** Bumped by `forgetApps`: a read sent before it keeps nothing when it answers. */
  generation: number;
  pages: Map<string, { rows: PageAppRow[]; readAt: number }>;
}

/**
 * The pages' apps read lately, per database: Kysely gives an instance and each of its
 * transactions the same adapter object, and a hub (or a test) with another database another.
 */
const kept = new WeakMap<object, KeptApps>();

function keptOf(db: Kysely<Database>): KeptApps {
  const key = db.getExecutor().adapter;
  let apps = kept.get(key);
  if (apps === undefined) kept.set(key, (apps = { generation: 0, pages: new Map() }));
  return apps;
}

/** Forgets the pages' apps kept for `db`'s database: its next reads go to the database. */
export function forgetApps(db: Kysely<Database>): void {
  const apps = keptOf(db);
  apps.generation += 1;
  apps.pages.clear();
}

/**
 * `readApps`: the apps of the pages, those kept from a recent read without a statement, the
 * others in one deferrable statement whose answer is kept in turn.
 */
export const readApps: NonNullable<TimelineStore['readApps']> = async (db, pageIds) => {
  const apps = keptOf(db);
  const now = Date.now();
  const rows: PageAppRow[] = [];
  const missing: string[] = [];
  for (const pageId of pageIds) {
    const page = apps.pages.get(pageId);
    if (page !== undefined && now - page.readAt < APPS_KEPT_MS) rows.push(...page.rows);
    else missing.push(pageId);
  }
  if (missing.length === 0) return { rows };
  const { generation } = apps;
  const read = answerOf(await appsOfPages.run(db, { pageIds: missing }));
  const answer = read.then((result) => {
    if (apps.generation === generation) {
      const byPage = new Map(missing.map((pageId) => [pageId, [] as PageAppRow[]]));
      for (const row of result.rows) byPage.get(row.page_id)?.push(row);
      // Dated from before the read was sent: kept no longer than a read at that time allows.
      for (const [pageId, list] of byPage) apps.pages.set(pageId, { rows: list, readAt: now });
    }
    return { ...result, rows: [...rows, ...result.rows] };
  });
  // Read through `answerOf` by the caller; never an unhandled rejection meanwhile.
  answer.catch(() => undefined);
  const deferred: DeferredResult<PageAppRow> = { rows: [], answer };
  return deferred;
};

/** False only when `routes` has the page's apps and none gets the event; true when unsure. */
export const mayDeliver: TimelineStore['mayDeliver'] = (_db, outbox, routes) => {
  const known = routes?.get(outbox.pageId);
  return known === undefined || routeTo(known, outbox).length > 0;
};

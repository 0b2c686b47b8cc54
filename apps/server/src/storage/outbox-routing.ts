/**
 * The routing rule of the outbox (timeline-store.ts `OutboxRecord`) where the hub routes in
 * JavaScript (SQLite, timeline-sqlite.ts; PostgreSQL routes in SQL, and here only to tell which
 * events no app gets: timeline-postgres.ts `mayDeliver`): which of a page's apps get a webhook
 * event, and under which field.
 */
import type { OutboxRecord, PageApp, PageAppRow, RouteCache } from './timeline-store.js';

/** What routing reads of an outbox record. */
export type OutboxRoute = Pick<OutboxRecord, 'pageId' | 'field' | 'targetAppId' | 'threadOwnerAppId'>;

/** A row of `apps` as routing sees it (`subscribed_fields` is a JSON array). */
export function pageApp(row: Omit<PageAppRow, 'page_id'>): PageApp {
  return { id: row.id, webhookUrl: row.webhook_url, fields: JSON.parse(row.subscribed_fields) as string[] };
}

/**
 * Keeps the apps of the `missing` pages in `routes` once `answer` (the read of their apps,
 * `TimelineStore.readApps`) comes: a page with none gets an empty list, so it is not read again.
 */
export function keepRoutes(
  missing: readonly string[],
  answer: Promise<{ rows: PageAppRow[] }>,
  routes: RouteCache,
): { answered: Promise<void> } {
  const answered = answer.then(({ rows }) => {
    const apps = new Map<string, PageApp[]>(missing.map((pageId) => [pageId, []]));
    for (const app of rows) apps.get(app.page_id)?.push(pageApp(app));
    for (const [pageId, list] of apps) routes.set(pageId, list);
  });
  // Read by the caller; never an unhandled rejection should it fail before (deferred.ts).
  answered.catch(() => undefined);
  return { answered };
}

/** The payload of an event routed to an app: one left unsealed (timeline-store.ts `OutboxRecord`) cannot be. */
export function sealedPayload(outbox: Pick<OutboxRecord, 'payload'>): string {
  if (outbox.payload === null) throw new Error('outbox: a webhook event routed to an app was not sealed for it');
  return outbox.payload;
}

/** Which apps get the event, under which field (its own, or `standby` for an app not holding the thread). */
export function routeTo(apps: readonly PageApp[], outbox: OutboxRoute): Array<{ appId: string; field: string }> {
  const routes: Array<{ appId: string; field: string }> = [];
  for (const app of apps) {
    if (app.webhookUrl === null) continue;
    if (outbox.targetAppId !== null && outbox.targetAppId !== app.id) continue;
    const standby =
      outbox.targetAppId === null && outbox.threadOwnerAppId !== null && outbox.threadOwnerAppId !== app.id;
    const field = standby ? 'standby' : outbox.field;
    if (app.fields.includes(field)) routes.push({ appId: app.id, field });
  }
  return routes;
}

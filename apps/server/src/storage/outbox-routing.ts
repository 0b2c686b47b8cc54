/**
 * The routing rule of the outbox (timeline-store.ts `OutboxRecord`) where the hub routes in
 * JavaScript (SQLite, timeline-sqlite.ts): which of a page's apps get a webhook event, and
 * under which field.
 */
import type { OutboxRecord, PageApp } from './timeline-store.js';

/** What routing reads of an outbox record. */
export type OutboxRoute = Pick<OutboxRecord, 'pageId' | 'field' | 'targetAppId' | 'threadOwnerAppId'>;

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

/** A page's app subscriptions (`/me/subscribed_apps`): which webhook fields the calling app receives. */
import type { HubContext } from '../../context.js';
import type { TokenPrincipal } from '../pages/pages.js';

export class SubscribedApps {
  private readonly ctx: HubContext;
  constructor(ctx: HubContext) {
    this.ctx = ctx;
  }

  /** The page's apps that subscribe to at least one field. */
  async list(pageId: string): Promise<Array<{ id: string; name: string; subscribed_fields: string[] }>> {
    const rows = await this.ctx.storage.db
      .selectFrom('apps as a')
      .innerJoin('pages as p', 'p.id', 'a.page_id')
      .select(['a.id', 'a.subscribed_fields', 'p.name'])
      .where('a.page_id', '=', pageId)
      .orderBy('a.created_at')
      .execute();
    return rows
      .map((r) => ({ id: r.id, name: r.name, subscribed_fields: JSON.parse(r.subscribed_fields) as string[] }))
      .filter((r) => r.subscribed_fields.length > 0);
  }

  /** Replaces the calling app's subscribed fields (an empty list unsubscribes it). */
  async set(principal: TokenPrincipal, fields: readonly string[]): Promise<void> {
    await this.ctx.storage.writes.run(({ db }) =>
      db
        .updateTable('apps')
        .set({ subscribed_fields: JSON.stringify([...new Set(fields)]) })
        .where('id', '=', principal.appId)
        .where('page_id', '=', principal.pageId)
        .execute(),
    );
  }
}

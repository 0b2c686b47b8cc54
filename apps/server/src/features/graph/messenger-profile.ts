/**
 * The Messenger Profile of a page (`get_started`, `greeting`, `persistent_menu`,
 * `ice_breakers`, `account_linking_url`, `whitelisted_domains`), one row per property.
 */
import {
  MESSENGER_PROFILE_FIELDS,
  PlatformError,
  type MessengerProfile,
  type MessengerProfileField,
} from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { assertNoReservedPayload } from '../consent/reserved-payloads.js';

export class MessengerProfiles {
  private readonly ctx: HubContext;
  constructor(ctx: HubContext) {
    this.ctx = ctx;
  }

  /** The requested properties that are set, as Graph answers: `{data:[{…}]}`, or `{data:[]}`. */
  async get(
    pageId: string,
    fields: readonly MessengerProfileField[],
  ): Promise<{ data: Array<Record<string, unknown>> }> {
    const rows = await this.ctx.storage.db
      .selectFrom('messenger_profile')
      .select(['field', 'value'])
      .where('page_id', '=', pageId)
      .execute();
    const out: Record<string, unknown> = {};
    for (const row of rows)
      if (fields.includes(row.field as MessengerProfileField)) out[row.field] = JSON.parse(row.value);
    return { data: Object.keys(out).length === 0 ? [] : [out] };
  }

  /** Writes the properties present in `profile`; the others are left as they are. */
  async set(pageId: string, profile: MessengerProfile): Promise<void> {
    const entries = MESSENGER_PROFILE_FIELDS.flatMap((field) =>
      profile[field] === undefined ? [] : [[field, profile[field]] as const],
    );
    if (entries.length === 0) {
      throw new PlatformError('INVALID_PARAMETER', {
        message: `at least one of ${MESSENGER_PROFILE_FIELDS.join(', ')} is required`,
      });
    }
    // get_started, persistent_menu and ice_breakers may not carry the hub's consent payloads.
    for (const [field, value] of entries) assertNoReservedPayload(value, field);
    const now = this.ctx.now();
    await this.ctx.storage.writes.run(async ({ db }) => {
      for (const [field, value] of entries) {
        await db
          .insertInto('messenger_profile')
          .values({ page_id: pageId, field, value: JSON.stringify(value), updated_at: now })
          .onConflict((oc) =>
            oc.columns(['page_id', 'field']).doUpdateSet({ value: JSON.stringify(value), updated_at: now }),
          )
          .execute();
      }
    });
    this.ctx.bus.publish({ name: 'page.profile', pageId });
  }

  async delete(pageId: string, fields: readonly MessengerProfileField[]): Promise<void> {
    await this.ctx.storage.writes.run(({ db }) =>
      db
        .deleteFrom('messenger_profile')
        .where('page_id', '=', pageId)
        .where('field', 'in', [...fields])
        .execute(),
    );
    this.ctx.bus.publish({ name: 'page.profile', pageId });
  }
}

/**
 * The customer's optional profile (last name, picture, locale, UTC offset) and what they share of it
 * with each business. A business reads on `GET /{psid}` the customer's username as
 * `first_name`, and a shared field only once the customer has filled it in. Nothing is shared
 * by default; sharing is per business, changed at any time in the privacy center.
 */
import {
  PlatformError,
  PROFILE_SHARE_FIELDS,
  type CustomerProfile,
  type ProfileShareField,
  type ProfileSharing,
  type UpdateCustomerProfileBody,
} from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { checkPicture, PictureUrls, type PictureType } from './picture.js';

export class CustomerProfiles {
  readonly #ctx: HubContext;
  readonly pictureUrls: PictureUrls;
  constructor(ctx: HubContext) {
    this.#ctx = ctx;
    this.pictureUrls = new PictureUrls(ctx);
  }

  async get(customerId: string): Promise<CustomerProfile> {
    const row = await this.#ctx.storage.db
      .selectFrom('customers')
      .select(['username', 'last_name', 'locale', 'timezone', 'picture_type'])
      .where('id', '=', customerId)
      .executeTakeFirst();
    if (row === undefined) throw new PlatformError('NOT_FOUND');
    return {
      username: row.username,
      last_name: row.last_name,
      locale: row.locale,
      timezone: row.timezone === null ? null : Number(row.timezone),
      has_picture: row.picture_type !== null,
    };
  }

  /** Sets the fields present in `input` (null clears one). */
  async update(customerId: string, input: UpdateCustomerProfileBody): Promise<CustomerProfile> {
    const set: { last_name?: string | null; locale?: string | null; timezone?: number | null } = {};
    if (input.last_name !== undefined) set.last_name = input.last_name;
    if (input.locale !== undefined) set.locale = input.locale;
    if (input.timezone !== undefined) set.timezone = input.timezone;
    if (Object.keys(set).length > 0) {
      await this.#ctx.storage.writes.run(({ db }) =>
        db.updateTable('customers').set(set).where('id', '=', customerId).execute(),
      );
    }
    return this.get(customerId);
  }

  /** Sets (or replaces) the customer's picture after checking its bytes. */
  async setPicture(customerId: string, data: Buffer, declaredType: string | undefined): Promise<CustomerProfile> {
    const type = checkPicture(data, declaredType);
    const sealed = this.#ctx.secrets.seal(data.toString('base64'), `profile-picture:${customerId}`);
    await this.#ctx.storage.writes.run(({ db }) =>
      db
        .updateTable('customers')
        .set({ picture_enc: sealed, picture_type: type })
        .where('id', '=', customerId)
        .execute(),
    );
    return this.get(customerId);
  }

  async clearPicture(customerId: string): Promise<CustomerProfile> {
    await this.#ctx.storage.writes.run(({ db }) =>
      db.updateTable('customers').set({ picture_enc: null, picture_type: null }).where('id', '=', customerId).execute(),
    );
    return this.get(customerId);
  }

  /** The customer's picture, for the customer. */
  async picture(customerId: string): Promise<{ data: Buffer; type: PictureType } | undefined> {
    const row = await this.#ctx.storage.db
      .selectFrom('customers')
      .select(['picture_enc', 'picture_type'])
      .where('id', '=', customerId)
      .executeTakeFirst();
    return row === undefined ? undefined : this.#openPicture(customerId, row);
  }

  /**
   * The picture a signed URL names, only while the customer still shares it with that page.
   * Anything else (unknown PSID, not shared, no picture) is undefined, all alike.
   */
  async sharedPicture(pageId: string, psid: string): Promise<{ data: Buffer; type: PictureType } | undefined> {
    const row = await this.#ctx.storage.db
      .selectFrom('conversations as c')
      .innerJoin('customers as u', 'u.id', 'c.customer_id')
      .innerJoin('profile_shares as s', (join) =>
        join.onRef('s.customer_id', '=', 'c.customer_id').onRef('s.page_id', '=', 'c.page_id'),
      )
      .select(['u.id', 'u.picture_enc', 'u.picture_type', 's.fields'])
      .where('c.page_id', '=', pageId)
      .where('c.psid', '=', psid)
      .executeTakeFirst();
    if (row === undefined || !parseFields(row.fields).includes('profile_pic')) return undefined;
    return this.#openPicture(row.id, row);
  }

  #openPicture(
    customerId: string,
    row: { picture_enc: string | null; picture_type: string | null },
  ): { data: Buffer; type: PictureType } | undefined {
    if (row.picture_enc === null || row.picture_type === null) return undefined;
    return {
      data: Buffer.from(this.#ctx.secrets.open(row.picture_enc, `profile-picture:${customerId}`), 'base64'),
      type: row.picture_type as PictureType,
    };
  }

  /** What the customer shares with each business they have a conversation with. */
  async sharing(customerId: string): Promise<ProfileSharing[]> {
    const rows = await this.#ctx.storage.db
      .selectFrom('conversations as c')
      .leftJoin('profile_shares as s', (join) =>
        join.onRef('s.customer_id', '=', 'c.customer_id').onRef('s.page_id', '=', 'c.page_id'),
      )
      .select(['c.page_id', 's.fields'])
      .where('c.customer_id', '=', customerId)
      .orderBy('c.page_id')
      .execute();
    return rows.map((r) => ({ page_id: r.page_id, fields: parseFields(r.fields) }));
  }

  /**
   * Replaces what the customer shares with a business (an empty list shares nothing more
   * than the first name).
   * @throws PlatformError `NOT_FOUND` when the customer has no conversation with the page.
   */
  async share(customerId: string, pageId: string, fields: readonly ProfileShareField[]): Promise<ProfileSharing> {
    const unique = PROFILE_SHARE_FIELDS.filter((f) => fields.includes(f));
    const now = this.#ctx.now();
    await this.#ctx.storage.writes.run(async ({ db }) => {
      const conv = await db
        .selectFrom('conversations')
        .select('id')
        .where('customer_id', '=', customerId)
        .where('page_id', '=', pageId)
        .executeTakeFirst();
      if (conv === undefined) throw new PlatformError('NOT_FOUND');
      await db
        .deleteFrom('profile_shares')
        .where('customer_id', '=', customerId)
        .where('page_id', '=', pageId)
        .execute();
      if (unique.length > 0) {
        await db
          .insertInto('profile_shares')
          .values({ customer_id: customerId, page_id: pageId, fields: JSON.stringify(unique), updated_at: now })
          .execute();
      }
    });
    return { page_id: pageId, fields: unique };
  }

  /** The profile fields a business may read about one of its customers: only shared fields that are filled in. */
  async sharedWith(
    customerId: string,
    pageId: string,
    psid: string,
  ): Promise<Partial<Record<ProfileShareField, string | number>>> {
    const row = await this.#ctx.storage.db
      .selectFrom('customers as u')
      .innerJoin('profile_shares as s', 's.customer_id', 'u.id')
      .select(['u.last_name', 'u.locale', 'u.timezone', 'u.picture_type', 's.fields'])
      .where('u.id', '=', customerId)
      .where('s.page_id', '=', pageId)
      .executeTakeFirst();
    if (row === undefined) return {};
    const out: Partial<Record<ProfileShareField, string | number>> = {};
    for (const field of parseFields(row.fields)) {
      if (field === 'profile_pic') {
        if (row.picture_type !== null) out.profile_pic = this.pictureUrls.url(pageId, psid);
        continue;
      }
      const value = row[field];
      if (value !== null) out[field] = field === 'timezone' ? Number(value) : value;
    }
    return out;
  }
}

function parseFields(stored: string | null): ProfileShareField[] {
  if (stored === null) return [];
  const list = JSON.parse(stored) as unknown;
  return Array.isArray(list) ? PROFILE_SHARE_FIELDS.filter((f) => list.includes(f)) : [];
}

/**
 * `GET /me` and `GET|DELETE /{id}`: the page itself (`name`, `id`, `picture`), its personas, and the User Profile
 * API for its PSIDs. A business learns a customer's `id` and `first_name` (the username),
 * and `last_name`, `profile_pic` (a signed hub URL), `locale` and `timezone` only when the
 * customer shares them with this business in the privacy center and has filled them in
 * (features/profile-sharing). Ids of other pages look unknown.
 */
import { PlatformError } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { resolveLinkingToken } from '../linking/linking-token.js';
import type { TokenPrincipal } from '../pages/pages.js';
import { pagePictureUrl } from '../pages/page-picture.js';
import type { MessageTemplates } from '../templates/templates.js';
import type { CustomerProfiles } from '../profile-sharing/profiles.js';
import type { Personas } from './personas.js';

/** Optional profile fields, returned only when the customer shares them with the page. */
const SHAREABLE = ['last_name', 'profile_pic', 'locale', 'timezone'] as const;

export class PageObjects {
  private readonly ctx: HubContext;
  private readonly personas: Personas;
  private readonly templates: MessageTemplates | undefined;
  private readonly profiles: CustomerProfiles;
  constructor(ctx: HubContext, personas: Personas, profiles: CustomerProfiles, templates?: MessageTemplates) {
    this.ctx = ctx;
    this.personas = personas;
    this.profiles = profiles;
    this.templates = templates;
  }

  /**
   * The page (`{name, id}`), or with `fields=recipient` and an `account_linking_token`
   * the PSID the token stands for.
   * @throws PlatformError `INVALID_LINKING_TOKEN` (10303) for a bad, used, expired or other-page token.
   */
  async me(
    principal: TokenPrincipal,
    fields: string[] | undefined,
    linkingToken: unknown,
  ): Promise<Record<string, unknown>> {
    const page = await this.ctx.storage.db
      .selectFrom('pages')
      .select(['id', 'name', 'picture_version', 'picture_width', 'picture_height'])
      .where('id', '=', principal.pageId)
      .executeTakeFirstOrThrow();
    const wanted = fields ?? ['name', 'id'];
    const out: Record<string, unknown> = {};
    if (wanted.includes('name')) out['name'] = page.name;
    if (wanted.includes('picture')) out['picture'] = presentPicture(this.ctx.config.publicUrl, page);
    out['id'] = page.id;
    if (wanted.includes('recipient')) {
      if (typeof linkingToken !== 'string') throw new PlatformError('INVALID_LINKING_TOKEN');
      out['recipient'] = await resolveLinkingToken(this.ctx.storage.db, principal.pageId, linkingToken, this.ctx.now());
    }
    return out;
  }

  /** `GET /{id}`: this page, one of its personas or message templates, or one of its customers (id and first name only). */
  async get(principal: TokenPrincipal, id: string, fields: string[] | undefined): Promise<Record<string, unknown>> {
    if (id === principal.pageId)
      return this.me(
        principal,
        fields?.filter((f) => f !== 'recipient'),
        undefined,
      );
    const persona = await this.personas.find(principal.pageId, id);
    if (persona !== undefined) return persona;
    const template = await this.templates?.find(principal.pageId, id);
    if (template !== undefined) return template;
    const customer = await this.ctx.storage.db
      .selectFrom('conversations as c')
      .innerJoin('customers as u', 'u.id', 'c.customer_id')
      .leftJoin('conversation_blocks as b', 'b.conversation_id', 'c.id')
      .select(['c.psid', 'c.customer_id', 'u.username', 'b.reason'])
      .where('c.psid', '=', id)
      .where('c.page_id', '=', principal.pageId)
      .executeTakeFirst();
    if (customer === undefined) throw new PlatformError('UNKNOWN_OBJECT');
    if (customer.reason !== null) throw new PlatformError('USER_UNAVAILABLE');
    const wanted = fields ?? ['first_name', 'last_name', 'profile_pic'];
    const out: Record<string, unknown> = {};
    if (wanted.includes('first_name')) out['first_name'] = customer.username;
    if (SHAREABLE.some((f) => wanted.includes(f))) {
      const shared = await this.profiles.sharedWith(customer.customer_id, principal.pageId, customer.psid);
      for (const field of SHAREABLE)
        if (wanted.includes(field) && shared[field] !== undefined) out[field] = shared[field];
    }
    out['id'] = customer.psid;
    return out;
  }

  /** `DELETE /{id}`: only personas can be deleted. */
  async delete(principal: TokenPrincipal, id: string): Promise<{ success: true }> {
    await this.personas.delete(principal.pageId, id);
    return { success: true };
  }
}

/**
 * The page's `picture` as Graph shapes it: `{data: {url, width, height, is_silhouette}}`; a page
 * without one is a silhouette with no URL.
 */
function presentPicture(
  publicUrl: string,
  page: { id: string; picture_version: string | null; picture_width: number | null; picture_height: number | null },
): { data: { url: string | null; width: number; height: number; is_silhouette: boolean } } {
  const url = pagePictureUrl(publicUrl, page);
  return {
    data: {
      url,
      width: Number(page.picture_width ?? 0),
      height: Number(page.picture_height ?? 0),
      is_silhouette: url === null,
    },
  };
}

/** `fields=a,b` (or a JSON array) as a list; undefined when absent. */
export function fieldList(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : undefined;
  if (list === undefined || !list.every((f) => typeof f === 'string'))
    throw new PlatformError('INVALID_PARAMETER', { message: 'param fields must be a comma-separated list' });
  return list.map((f: string) => f.trim()).filter((f) => f.length > 0);
}

/**
 * An organisation's pages in the console: create, list, the app secret (revealed or
 * rotated after re-authentication) and labelled page tokens. Pages of other organisations,
 * and pages created by the operator outside the console, are answered as not found. The
 * credentials themselves are features/pages' (one place issues and checks them).
 */
import { PlatformError, type ConsolePage, type ConsoleToken, type PageCategory } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import type { Privacy } from '../../privacy/privacy.js';
import type { Pages } from '../pages/pages.js';
import { pagePictureUrl } from '../pages/page-picture.js';
import { assertCan } from './access.js';
import type { ConsoleMembers, Member } from './members.js';

/** How a sensitive action proves the member is still at the keyboard. */
export interface Reauth {
  password: string;
  ip: string;
}

export class ConsolePages {
  readonly #ctx: HubContext;
  readonly #pages: Pages;
  readonly #members: ConsoleMembers;
  readonly #privacy: Privacy;

  constructor(ctx: HubContext, pages: Pages, members: ConsoleMembers, privacy: Privacy) {
    this.#ctx = ctx;
    this.#pages = pages;
    this.#members = members;
    this.#privacy = privacy;
  }

  async list(member: Member): Promise<ConsolePage[]> {
    const rows = await this.#pageQuery()
      .where('org_pages.org_id', '=', member.org_id)
      .orderBy('pages.name_lower')
      .orderBy('pages.id')
      .execute();
    return rows.map(presentConsolePage);
  }

  /**
   * The operator gives an existing page to an organisation (the demo seeds the Sandbox
   * Bank's this way); a page another organisation owns is refused.
   */
  async adopt(orgId: string, pageId: string, actor: string): Promise<void> {
    await this.#ctx.storage.writes.run(async ({ db }) => {
      const owner = await db.selectFrom('org_pages').select('org_id').where('page_id', '=', pageId).executeTakeFirst();
      if (owner?.org_id === orgId) return;
      if (owner !== undefined)
        throw new PlatformError('BAD_REQUEST', { message: 'Another organisation owns that page.' });
      const page = await db.selectFrom('pages').select('id').where('id', '=', pageId).executeTakeFirst();
      if (page === undefined) throw new PlatformError('NOT_FOUND', { message: `No page ${pageId}` });
      await db.insertInto('org_pages').values({ page_id: pageId, org_id: orgId }).execute();
    });
    await this.#privacy.record({ actor, action: 'console.page_adopted', target: pageId, details: { org: orgId } });
  }

  /** The page if the member's organisation owns it. @throws PlatformError `NOT_FOUND` otherwise. */
  async get(member: Member, pageId: string): Promise<ConsolePage> {
    const page = await this.#pageQuery()
      .where('org_pages.org_id', '=', member.org_id)
      .where('pages.id', '=', pageId)
      .executeTakeFirst();
    if (page === undefined) throw new PlatformError('NOT_FOUND', { message: 'No such page.' });
    return presentConsolePage(page);
  }

  /** Creates a page owned by the member's organisation; its first token is returned once. */
  async create(
    member: Member,
    input: { name: string; category: PageCategory },
  ): Promise<ConsolePage & { page_access_token: string }> {
    assertCan(member.role, 'pages.create');
    const created = await this.#pages.createPage({ name: input.name, category: input.category, orgId: member.org_id });
    await this.#privacy.record({
      actor: `member:${member.id}`,
      action: 'console.page_created',
      target: created.page_id,
      details: { org: member.org_id },
    });
    return {
      id: created.page_id,
      name: input.name,
      category: input.category,
      app_id: created.app_id,
      page_access_token: created.page_access_token,
    };
  }

  /** The app secret, after the member's password (role first: a viewer is refused without a password check). */
  async revealSecret(member: Member, pageId: string, reauth: Reauth): Promise<{ app_id: string; app_secret: string }> {
    assertCan(member.role, 'secret.reveal');
    const page = await this.get(member, pageId);
    await this.#members.confirmPassword(member, reauth.password, reauth.ip);
    const secret = await this.#pages.appSecret(page.app_id);
    await this.#privacy.record({
      actor: `member:${member.id}`,
      action: 'console.secret_revealed',
      target: page.app_id,
    });
    return { app_id: page.app_id, app_secret: secret };
  }

  /** A new app secret, after the member's password; the old one stops working at once. */
  async rotateSecret(member: Member, pageId: string, reauth: Reauth): Promise<{ app_id: string; app_secret: string }> {
    assertCan(member.role, 'secret.rotate');
    const page = await this.get(member, pageId);
    await this.#members.confirmPassword(member, reauth.password, reauth.ip);
    const rotated = await this.#pages.rotateAppSecret(page.id);
    await this.#privacy.record({ actor: `member:${member.id}`, action: 'console.secret_rotated', target: page.app_id });
    return rotated;
  }

  /** The page's tokens, newest last: label, creation, last use, revocation; never the token. */
  async tokens(member: Member, pageId: string): Promise<ConsoleToken[]> {
    const page = await this.get(member, pageId);
    return this.#pages.listTokens(page.id);
  }

  async createToken(
    member: Member,
    pageId: string,
    label: string,
  ): Promise<{ id: string; label: string; page_access_token: string }> {
    assertCan(member.role, 'tokens.manage');
    const page = await this.get(member, pageId);
    const issued = await this.#pages.issueToken(page.id, label);
    await this.#privacy.record({
      actor: `member:${member.id}`,
      action: 'token.created',
      target: issued.token_id,
      details: { page: page.id },
    });
    return { id: issued.token_id, label, page_access_token: issued.page_access_token };
  }

  async revokeToken(member: Member, pageId: string, tokenId: string): Promise<void> {
    assertCan(member.role, 'tokens.manage');
    const page = await this.get(member, pageId);
    await this.#pages.revokeToken(page.id, tokenId).catch((err: unknown) => {
      throw err instanceof PlatformError && err.key === 'NOT_FOUND'
        ? new PlatformError('NOT_FOUND', { message: 'No such active token.' })
        : err;
    });
    await this.#privacy.record({
      actor: `member:${member.id}`,
      action: 'token.revoked',
      target: tokenId,
      details: { page: page.id },
    });
  }

  #pageQuery() {
    return this.#ctx.storage.db
      .selectFrom('org_pages')
      .innerJoin('pages', 'pages.id', 'org_pages.page_id')
      .innerJoin('apps', 'apps.page_id', 'pages.id')
      .select(['pages.id', 'pages.name', 'pages.category', 'apps.id as app_id', 'pages.picture_version']);
  }
}

function presentConsolePage(row: {
  id: string;
  name: string;
  category: ConsolePage['category'];
  app_id: string;
  picture_version: string | null;
}): ConsolePage {
  const { picture_version: _version, ...page } = row;
  const picture = pagePictureUrl(undefined, row);
  return picture === null ? page : { ...page, picture_url: picture };
}

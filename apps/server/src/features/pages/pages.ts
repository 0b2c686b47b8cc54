/**
 * Businesses ("pages"), their app and page access tokens. The app secret is sealed with
 * the service key (it signs webhooks, so it must be recoverable); tokens are stored only
 * as SHA-256 hashes, shown once, and can be revoked one by one for rotation.
 */
import { PlatformError, type PageCategory, type PageSummary } from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { HubContext } from '../../context.js';
import { newId, randomScopedId, randomSecret, safeEqual, sha256Hex } from '../../crypto/tokens.js';
import type { Database } from '../../storage/schema.js';
import { presentPage } from './present-page.js';
import { Lru } from '../../privacy/lru.js';
import { prepare } from '../../storage/prepared.js';
import type { AuthOf, GraphTokenVerifier, TokenPrincipal } from '../../http/graph-principal.js';

import { DEFAULT_FIELDS } from './default-fields.js';
import { openWebhookSecrets, type SealedWebhookSecrets, type WebhookSecrets } from './webhook-secrets.js';

export { DEFAULT_FIELDS };

export interface CreatePageInput {
  name: string;
  category: PageCategory;
  description?: string;
  privacyPolicyUrl?: string | null;
  webhookUrl?: string | null;
  verifyToken?: string | null;
  /** The console organisation that owns the page (features/console); none for operator-created pages. */
  orgId?: string;
}

export interface CreatedPage {
  page_id: string;
  app_id: string;
  app_secret: string;
  page_access_token: string;
}

/** The page and app a valid access token stands for. */
/** The principal of a page or app token; declared with the port Pages implements (http/graph-principal.ts). */
export type { TokenPrincipal };

// Every Platform API call runs this lookup (storage/prepared.ts).
const liveTokenByHash = prepare<{ hash: string }>()((db, p) =>
  db
    .selectFrom('page_tokens')
    .select(['id', 'page_id', 'app_id', 'last_used_at'])
    .where('token_hash', '=', p('hash'))
    .where('revoked_at', 'is', null),
);

/**
 * How long a verified token is trusted without reading `page_tokens` again. Revocation in
 * this process applies at once; one made elsewhere (the CLI, another hub process) applies
 * within this time (docs/platform-api.md).
 */
export const TOKEN_CACHE_MS = 2_000;

/** A token's last use is recorded to this grain (one write a minute at most per token). */
const LAST_USED_GRAIN_MS = 60_000;

export class Pages implements GraphTokenVerifier {
  private readonly ctx: HubContext;
  /** Verified tokens by SHA-256, for TOKEN_CACHE_MS (every Platform API call verifies one). */
  readonly #verified = new Lru<AuthOf<'page'>>(10_000, TOKEN_CACHE_MS);
  constructor(ctx: HubContext) {
    this.ctx = ctx;
  }

  async createPage(input: CreatePageInput): Promise<CreatedPage> {
    const now = this.ctx.now();
    const pageId = randomScopedId(15);
    const appId = randomScopedId(15);
    const appSecret = randomSecret(24);
    const token = newPageToken();
    await this.ctx.storage.writes.run(async ({ db }) => {
      await db
        .insertInto('pages')
        .values({
          id: pageId,
          name: input.name,
          name_lower: input.name.toLowerCase(),
          category: input.category,
          description: input.description ?? '',
          privacy_policy_url: input.privacyPolicyUrl ?? null,
          created_at: now,
        })
        .execute();
      await db
        .insertInto('apps')
        .values({
          id: appId,
          page_id: pageId,
          secret_enc: this.ctx.secrets.seal(appSecret, `app-secret:${appId}`),
          webhook_url: input.webhookUrl ?? null,
          verify_token_enc: input.verifyToken
            ? this.ctx.secrets.seal(input.verifyToken, `verify-token:${appId}`)
            : null,
          subscribed_fields: JSON.stringify(DEFAULT_FIELDS),
          webhook_status: 'active',
          created_at: now,
        })
        .execute();
      await insertToken(db, { pageId, appId, token, now, label: input.orgId === undefined ? null : 'initial' });
      if (input.orgId !== undefined)
        await db.insertInto('org_pages').values({ page_id: pageId, org_id: input.orgId }).execute();
    });
    return { page_id: pageId, app_id: appId, app_secret: appSecret, page_access_token: token };
  }

  /** Issues one more token for the page's app (rotation), optionally labelled; the raw token is returned once. */
  async issueToken(
    pageId: string,
    label: string | null = null,
  ): Promise<{ token_id: string; page_access_token: string }> {
    const app = await this.ctx.storage.db
      .selectFrom('apps')
      .select('id')
      .where('page_id', '=', pageId)
      .executeTakeFirst();
    if (app === undefined) throw new PlatformError('NOT_FOUND', { message: `No page ${pageId}` });
    const token = newPageToken();
    const tokenId = await this.ctx.storage.writes.run(({ db }) =>
      insertToken(db, { pageId, appId: app.id, token, now: this.ctx.now(), label }),
    );
    return { token_id: tokenId, page_access_token: token };
  }

  /**
   * Replaces the app's secret (webhook signatures and appsecret_proof use the new one from
   * the next call on); the new secret is returned once.
   */
  async rotateAppSecret(pageId: string): Promise<{ app_id: string; app_secret: string }> {
    const appSecret = randomSecret(24);
    const appId = await this.ctx.storage.writes.run(async ({ db }) => {
      const app = await db.selectFrom('apps').select('id').where('page_id', '=', pageId).executeTakeFirst();
      if (app === undefined) throw new PlatformError('NOT_FOUND', { message: `No page ${pageId}` });
      await db
        .updateTable('apps')
        .set({ secret_enc: this.ctx.secrets.seal(appSecret, `app-secret:${app.id}`) })
        .where('id', '=', app.id)
        .execute();
      return app.id;
    });
    return { app_id: appId, app_secret: appSecret };
  }

  async revokeToken(pageId: string, tokenId: string): Promise<void> {
    const result = await this.ctx.storage.writes.run(({ db }) =>
      db
        .updateTable('page_tokens')
        .set({ revoked_at: this.ctx.now() })
        .where('page_id', '=', pageId)
        .where('id', '=', tokenId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst(),
    );
    if (result.numUpdatedRows === 0n)
      throw new PlatformError('NOT_FOUND', { message: `No active token ${tokenId} on page ${pageId}` });
    this.#verified.clear();
  }

  async listTokens(pageId: string) {
    return this.ctx.storage.db
      .selectFrom('page_tokens')
      .select(['id', 'label', 'created_at', 'revoked_at', 'last_used_at'])
      .where('page_id', '=', pageId)
      .orderBy('created_at')
      .execute();
  }

  /** Resolves a page access token; `INVALID_ACCESS_TOKEN` for unknown or revoked ones. */
  async verifyToken(token: string | undefined): Promise<AuthOf<'page'>> {
    if (token === undefined || token.length < 20 || token.length > 512) throw new PlatformError('INVALID_ACCESS_TOKEN');
    const hash = sha256Hex(token);
    const known = this.#verified.get(hash);
    if (known !== undefined) return known;
    const row = await liveTokenByHash.takeFirst(this.ctx.storage.db, { hash });
    if (row === undefined) throw new PlatformError('INVALID_ACCESS_TOKEN');
    const principal = { kind: 'page', pageId: row.page_id, appId: row.app_id, tokenId: row.id } as const;
    this.#verified.set(hash, principal);
    this.#touch(row.id, row.last_used_at);
    return principal;
  }

  /**
   * Resolves an app access token, `{app-id}|{app-secret}` as Meta spells it, to the app and
   * its page; the secret is compared in constant time.
   * @throws PlatformError `APP_TOKEN_REQUIRED` (#15) for a token of another kind, `INVALID_ACCESS_TOKEN` for a wrong one.
   */
  async verifyAppToken(token: string | undefined): Promise<AuthOf<'app'>> {
    const match = token === undefined ? null : /^(\d{1,32})\|(.{1,256})$/s.exec(token);
    if (match === null) throw new PlatformError(token === undefined ? 'INVALID_ACCESS_TOKEN' : 'APP_TOKEN_REQUIRED');
    const [, appId, secret] = match as unknown as [string, string, string];
    const row = await this.ctx.storage.db
      .selectFrom('apps')
      .select(['id', 'page_id', 'secret_enc'])
      .where('id', '=', appId)
      .executeTakeFirst();
    // An unknown app still costs a comparison, so timing does not tell which app ids exist.
    const expected =
      row === undefined ? randomSecret(24) : this.ctx.secrets.open(row.secret_enc, `app-secret:${row.id}`);
    if (!safeEqual(secret, expected) || row === undefined) throw new PlatformError('INVALID_ACCESS_TOKEN');
    return { kind: 'app', pageId: row.page_id, appId: row.id, tokenId: 'app' };
  }

  /** The secrets that sign the app's webhooks: its app secret and, when turned on, its Standard Webhooks secret. */
  async webhookSecrets(appId: string): Promise<WebhookSecrets> {
    const row = await this.ctx.storage.db
      .selectFrom('apps')
      .select(['secret_enc', 'std_webhook_secret_enc'])
      .where('id', '=', appId)
      .executeTakeFirstOrThrow();
    return openWebhookSecrets(this.ctx.secrets, appId, row);
  }

  /** Opens the secrets as sealed in the app's row (the delivery worker's claim reads them with the app's lock). */
  openWebhookSecrets(appId: string, sealed: SealedWebhookSecrets): WebhookSecrets {
    return openWebhookSecrets(this.ctx.secrets, appId, sealed);
  }

  /**
   * Records the token's last use for the console, at most once a minute per token and off
   * the request's path (a failed write only loses the hint).
   */
  #touch(tokenId: string, lastUsedAt: number | null): void {
    const now = this.ctx.now();
    if (lastUsedAt !== null && now - lastUsedAt < LAST_USED_GRAIN_MS) return;
    // The first calls with a token touch it at once: one partition, so two transactions never deadlock on it.
    const byToken = { partition: `page-token:${tokenId}` };
    void this.ctx.storage.writes
      .run(
        ({ db }) => db.updateTable('page_tokens').set({ last_used_at: now }).where('id', '=', tokenId).execute(),
        byToken,
      )
      .catch((err: unknown) => this.ctx.log.warn({ err }, 'token last use not recorded'));
  }

  /** The app's secret, unsealed (for webhook signatures and appsecret_proof). */
  async appSecret(appId: string): Promise<string> {
    const row = await this.ctx.storage.db
      .selectFrom('apps')
      .select('secret_enc')
      .where('id', '=', appId)
      .executeTakeFirstOrThrow();
    return this.ctx.secrets.open(row.secret_enc, `app-secret:${appId}`);
  }

  async findPage(pageId: string): Promise<PageSummary | undefined> {
    const row = await this.ctx.storage.db.selectFrom('pages').selectAll().where('id', '=', pageId).executeTakeFirst();
    return row === undefined ? undefined : presentPage(row);
  }

  /** The directory customers browse: search by name, newest last. */
  async searchPages(query: string | undefined, limit: number): Promise<PageSummary[]> {
    let q = this.ctx.storage.db.selectFrom('pages').selectAll();
    const term = query?.trim().toLowerCase();
    if (term) q = q.where(this.ctx.storage.sql.contains('name_lower', term));
    const rows = await q.orderBy('name_lower').limit(limit).execute();
    return rows.map(presentPage);
  }
}

function newPageToken(): string {
  return `EAAC${randomSecret(48)}`;
}

async function insertToken(
  db: Kysely<Database>,
  {
    pageId,
    appId,
    token,
    now,
    label = null,
  }: { pageId: string; appId: string; token: string; now: number; label?: string | null },
): Promise<string> {
  const id = newId('tok', 9);
  await db
    .insertInto('page_tokens')
    .values({
      id,
      page_id: pageId,
      app_id: appId,
      token_hash: sha256Hex(token),
      created_at: now,
      revoked_at: null,
      label,
    })
    .execute();
  return id;
}

export { presentPage };

/**
 * Account linking, Messenger-compatible, with the hub's own consent step:
 * 1. `prepare`: the customer tapped an `account_link` button; check the URL is one of
 *    that message's buttons in their own conversation, and show the consent screen.
 * 2. `begin`: on Continue, store the pending grant with a fresh linking token and send
 *    the browser to the business with `account_linking_token` and `redirect_uri`.
 * 3. `complete`: the business redirects back; consume the token, deliver the `linked`
 *    event synchronously, and only on a 2xx record the link and activate the grant.
 */
import { PlatformError } from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import type { HubContext } from '../../context.js';
import { SigningKeys } from '../../crypto/signing-keys.js';
import { DAY_MS, DEFAULT_DURATION_DAYS, normalizeCategories } from '../consent/categories.js';
import { listDeclarations, type Declaration } from '../consent/declarations.js';
import { grantInTx, revokeInTx } from '../consent/grants.js';
import { findConsentState } from '../consent/ledger.js';
import { findConversationByPsid, findConversationOfCustomer } from '../conversations/index.js';
import type { Pages } from '../pages/pages.js';
import { accountLinkUrls, businessLinkUrl } from './account-link-buttons.js';
import { deliverLinkingEvent } from './deliver-linking-event.js';
import { findLiveLinkingToken, hashLinkingToken, LINKING_TOKEN_TTL_MS, newLinkingToken } from './linking-token.js';
import { unlinkInTx } from './unlink.js';
import { appendFrame } from '../../timeline/index.js';

export interface LinkRequest {
  conversationId: string;
  pageId: string;
  pageName: string;
  psid: string;
  url: string;
  businessOrigin: string;
  declared: Declaration[];
  expiresAt: number;
  /** Categories the customer allows this page now (an active grant), shown ticked. */
  current: string[];
}

/** How a return from the business ended; `invalid` means an unknown, used or expired token. */
export type LinkOutcome =
  { kind: 'invalid' } | { kind: 'done'; conversationId: string; linked: boolean; reason?: string };

export class Linking {
  private readonly ctx: HubContext;
  private readonly pages: Pages;
  constructor(ctx: HubContext, pages: Pages) {
    this.ctx = ctx;
    this.pages = pages;
  }

  /**
   * Validates a link start: `mid` is a business message in the customer's own
   * conversation and `url` one of its `account_link` buttons.
   * @throws PlatformError `NOT_FOUND` otherwise (no oracle on other customers' messages).
   */
  async prepare(customerId: string, mid: string, url: string): Promise<LinkRequest> {
    const db = this.ctx.storage.db;
    const row = await db
      .selectFrom('messages as m')
      .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
      .innerJoin('pages as p', 'p.id', 'c.page_id')
      .select(['m.body', 'm.direction', 'c.id as conversation_id', 'c.page_id', 'c.psid', 'p.name'])
      .where('m.mid', '=', mid)
      .where('c.customer_id', '=', customerId)
      .executeTakeFirst();
    const access = { purpose: 'deliver_to_customer', actor: `customer:${customerId}` } as const;
    if (
      row === undefined ||
      row.direction !== 'out' ||
      !accountLinkUrls(await this.ctx.storage.vault.openMessage(access, customerId, row.body)).includes(url)
    ) {
      throw new PlatformError('NOT_FOUND', { message: 'This log-in button is not in your conversation.' });
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new PlatformError('NOT_FOUND', { message: 'The business log-in address is not valid.' });
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
      throw new PlatformError('NOT_FOUND', { message: 'The business log-in address is not valid.' });
    return {
      conversationId: row.conversation_id,
      pageId: row.page_id,
      pageName: row.name,
      psid: row.psid,
      url,
      businessOrigin: parsed.origin,
      declared: await listDeclarations(db, row.page_id),
      expiresAt: this.ctx.now() + DEFAULT_DURATION_DAYS * DAY_MS,
      current: await activeCategories(db, customerId, row.page_id, this.ctx.now()),
    };
  }

  /** Records the pending grant under a new linking token; returns the business URL to redirect to. */
  async begin(customerId: string, mid: string, url: string, categories: string[]): Promise<string> {
    const request = await this.prepare(customerId, mid, url);
    const declared = request.declared.map((d) => d.category as string);
    const undeclared = categories.filter((c) => !declared.includes(c));
    if (undeclared.length > 0)
      throw new PlatformError('BAD_REQUEST', { message: `Not declared by this business: ${undeclared.join(', ')}` });
    const token = newLinkingToken();
    const now = this.ctx.now();
    await this.ctx.storage.writes.run(({ db }) =>
      db
        .insertInto('linking_tokens')
        .values({
          token_hash: hashLinkingToken(token),
          customer_id: customerId,
          page_id: request.pageId,
          conversation_id: request.conversationId,
          psid: request.psid,
          categories: JSON.stringify(normalizeCategories(categories)),
          duration_days: DEFAULT_DURATION_DAYS,
          created_at: now,
          expires_at: now + LINKING_TOKEN_TTL_MS,
          used_at: null,
        })
        .execute(),
    );
    const redirectUri = `${this.ctx.config.publicUrl}/messenger_platform/account_linking/?account_linking_token=${encodeURIComponent(token)}`;
    return businessLinkUrl(url, token, redirectUri);
  }

  /** The business sent the customer back, with `authorization_code` on success. */
  async complete(token: string | undefined, authorizationCode: string | undefined): Promise<LinkOutcome> {
    const now = this.ctx.now();
    // Consume the token first: a second use fails even while this one is in flight.
    const row = await this.ctx.storage.writes.run(async ({ db }) => {
      const live = await findLiveLinkingToken(db, token, now);
      if (live === undefined) return undefined;
      const used = await db
        .updateTable('linking_tokens')
        .set({ used_at: now })
        .where('token_hash', '=', live.token_hash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return used.numUpdatedRows === 1n ? live : undefined;
    });
    if (row === undefined) return { kind: 'invalid' };
    const aborted = (reason: string): LinkOutcome => ({
      kind: 'done',
      conversationId: row.conversation_id,
      linked: false,
      reason,
    });
    if (authorizationCode === undefined || authorizationCode.length === 0) return aborted('cancelled');
    if (authorizationCode.length > 512) return aborted('invalid_code');

    const categories = JSON.parse(row.categories) as string[];
    const expiresAt = now + row.duration_days * DAY_MS;
    const accountLinking: Record<string, unknown> = { status: 'linked', authorization_code: authorizationCode };
    if (categories.length > 0) accountLinking['consent'] = { categories, expires_at: expiresAt };
    await SigningKeys.of(this.ctx).ensure();
    const delivered = await deliverLinkingEvent(this.ctx, this.pages, {
      pageId: row.page_id,
      psid: row.psid,
      accountLinking,
      now,
    });
    if (!delivered.ok) return aborted(delivered.reason);

    await this.ctx.storage.writes.run(async (tx) => {
      const conv = await findConversationOfCustomer(tx.db, row.customer_id, row.conversation_id);
      if (conv === undefined) throw new PlatformError('NOT_FOUND');
      await tx.db
        .insertInto('account_links')
        .values({ conversation_id: conv.id, customer_id: conv.customer_id, page_id: conv.page_id, linked_at: now })
        .onConflict((oc) => oc.column('conversation_id').doUpdateSet({ linked_at: now }))
        .execute();
      if (categories.length > 0) {
        await grantInTx(
          tx,
          { keys: SigningKeys.of(this.ctx), issuer: this.ctx.config.publicUrl },
          { party: conv, categories, durationDays: row.duration_days, source: 'linking', now },
        );
      } else {
        // The screen showed the current grant ticked; every box unticked means "send me nothing".
        await revokeInTx(tx, { party: conv, source: 'linking', now });
      }
      await appendFrame(
        tx,
        this.ctx.bus,
        conv.customer_id,
        { type: 'conversation', conversation_id: conv.id, change: 'linked' },
        now,
      );
    });
    return { kind: 'done', conversationId: row.conversation_id, linked: true };
  }

  /**
   * The business unlinks a PSID (`POST /me/unlink_accounts`).
   * @throws PlatformError `NO_MATCHING_USER` when the PSID is not one of the page's.
   */
  async unlinkByPsid(pageId: string, psid: string): Promise<void> {
    const now = this.ctx.now();
    await this.ctx.storage.writes.run(async (tx) => {
      const conv = await findConversationByPsid(tx.db, pageId, psid);
      if (conv === undefined) throw new PlatformError('NO_MATCHING_USER');
      await unlinkInTx(tx, this.ctx.bus, { conversation: conv, now });
    });
  }
}

/** The categories of the customer's active grant to the page (none when revoked or lapsed). */
async function activeCategories(
  db: Kysely<Database>,
  customerId: string,
  pageId: string,
  now: number,
): Promise<string[]> {
  const state = await findConsentState(db, customerId, pageId);
  if (state === undefined || state.status !== 'active' || (state.expires_at !== null && state.expires_at <= now))
    return [];
  return JSON.parse(state.categories) as string[];
}

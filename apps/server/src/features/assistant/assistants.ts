/**
 * The privacy center's view of the customer's assistants: each grant with the
 * assistant's name, the businesses (by name), categories and `act`, its ledger entries
 * and receipts; changing a grant (a `changed` entry with a new receipt) and removing it
 * (a `revoked` entry: the next call of the assistant answers 401).
 */
import { PlatformError } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { SigningKeys } from '../../crypto/signing-keys.js';
import type { Privacy } from '../../privacy/privacy.js';
import { CONSENT_CATEGORIES } from '../consent/categories.js';
import { findGrant, grantAssistantInTx, ownPages, presentGrant, revokeAssistantInTx } from './grants.js';

export interface AssistantView {
  id: string;
  client_id: string;
  name: string;
  status: 'active' | 'revoked';
  businesses: Array<{ page_id: string; name: string }>;
  categories: string[];
  act: boolean;
  granted_at: number;
  expires_at: number;
  updated_at: number;
  history: Array<{
    event: string;
    at: number;
    source: string;
    categories: string[];
    page_ids: string[];
    act: boolean;
    receipt: string | null;
  }>;
}

export class Assistants {
  readonly #ctx: HubContext;
  readonly #privacy: Privacy;
  constructor(ctx: HubContext, privacy: Privacy) {
    this.#ctx = ctx;
    this.#privacy = privacy;
  }

  async list(customerId: string): Promise<AssistantView[]> {
    const db = this.#ctx.storage.db;
    const rows = await db
      .selectFrom('assistant_grants as g')
      .innerJoin('oauth_clients as c', 'c.client_id', 'g.client_id')
      .selectAll('g')
      .select('c.client_name')
      .where('g.customer_id', '=', customerId)
      .orderBy('g.granted_at', 'desc')
      .execute();
    const ledger = await db
      .selectFrom('assistant_grant_ledger')
      .selectAll()
      .where('customer_id', '=', customerId)
      .orderBy('seq', 'desc')
      .execute();
    const pages = await db.selectFrom('pages').select(['id', 'name']).execute();
    const nameOf = new Map(pages.map((p) => [p.id, p.name]));
    return rows.map((row) => {
      const g = presentGrant(row);
      return {
        id: g.id,
        client_id: g.clientId,
        name: row.client_name,
        status: g.status,
        businesses: g.pageIds.map((id) => ({ page_id: id, name: nameOf.get(id) ?? id })),
        categories: g.categories,
        act: g.canAct,
        granted_at: g.grantedAt,
        expires_at: g.expiresAt,
        updated_at: g.updatedAt,
        history: ledger
          .filter((e) => e.grant_id === g.id)
          .map((e) => ({
            event: e.event,
            at: Number(e.created_at),
            source: e.source,
            categories: JSON.parse(e.categories) as string[],
            page_ids: JSON.parse(e.page_ids) as string[],
            act: e.can_act === 1,
            receipt: e.receipt_jws,
          })),
      };
    });
  }

  async change(
    customerId: string,
    grantId: string,
    input: { page_ids: string[]; categories: string[]; act: boolean },
  ): Promise<AssistantView> {
    const grant = await findGrant(this.#ctx.storage.db, grantId);
    if (grant === undefined || grant.customerId !== customerId)
      throw new PlatformError('NOT_FOUND', { message: 'No such assistant.' });
    if (grant.status !== 'active')
      throw new PlatformError('BAD_REQUEST', {
        message: 'This assistant was removed; connect it again from the assistant.',
      });
    const pageIds = await ownPages(this.#ctx.storage.db, customerId, input.page_ids);
    if (pageIds.length !== new Set(input.page_ids).size)
      throw new PlatformError('BAD_REQUEST', { message: 'page_ids: only businesses you talk to.' });
    if (input.categories.some((c) => !(CONSENT_CATEGORIES as readonly string[]).includes(c)))
      throw new PlatformError('BAD_REQUEST', { message: 'categories: unknown category.' });
    await SigningKeys.of(this.#ctx).ensure();
    await this.#ctx.storage.writes.run((tx) =>
      grantAssistantInTx(
        tx,
        { keys: SigningKeys.of(this.#ctx), issuer: this.#ctx.config.publicUrl },
        {
          customerId,
          clientId: grant.clientId,
          choice: { pageIds, categories: input.categories, canAct: input.act },
          source: 'settings',
          now: this.#ctx.now(),
        },
      ),
    );
    await this.#privacy.record({
      actor: `customer:${customerId}`,
      action: 'assistant.changed',
      customerId,
      target: `assistant:${grant.clientId}`,
      details: { grant: grantId, act: input.act },
    });
    return this.#one(customerId, grantId);
  }

  async revoke(customerId: string, grantId: string): Promise<AssistantView> {
    const grant = await findGrant(this.#ctx.storage.db, grantId);
    if (grant === undefined || grant.customerId !== customerId)
      throw new PlatformError('NOT_FOUND', { message: 'No such assistant.' });
    const revoked = await this.#ctx.storage.writes.run((tx) =>
      revokeAssistantInTx(tx, { customerId, grantId, now: this.#ctx.now() }),
    );
    if (revoked)
      await this.#privacy.record({
        actor: `customer:${customerId}`,
        action: 'assistant.revoked',
        customerId,
        target: `assistant:${grant.clientId}`,
        details: { grant: grantId },
      });
    return this.#one(customerId, grantId);
  }

  async #one(customerId: string, grantId: string): Promise<AssistantView> {
    const found = (await this.list(customerId)).find((a) => a.id === grantId);
    if (found === undefined) throw new PlatformError('NOT_FOUND');
    return found;
  }
}

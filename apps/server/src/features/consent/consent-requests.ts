/**
 * Consent requests: a business asks, in the thread, for categories it declared
 * (`POST /me/consent_requests`); the hub posts its own card ("Sandbox Shop would like to
 * send you receipts and shipping updates — Allow / Not now"), and only the customer's
 * answer on the hub's surface (`POST /api/consent-requests/:id/answer`, session cookie and
 * Origin check) writes the ledger, once. The business cannot forge the card: the Send API
 * knows no such template, reserved payloads are refused, and an answer acts only on a
 * request row of this customer that is still open.
 */
import { PlatformError } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { SigningKeys } from '../../crypto/signing-keys.js';
import { newId } from '../../crypto/tokens.js';
import type { TokenPrincipal } from '../pages/pages.js';
import { DAY_MS, DEFAULT_DURATION_DAYS, isConsentCategory, normalizeCategories } from './categories.js';
import { listDeclarations } from './declarations.js';
import { grantInTx } from './grants.js';
import { postHubMessage } from './hub-message.js';
import { findConsentState } from './ledger.js';
import { appendFrame } from '../../timeline/index.js';

/** What each category is called in the card and the sheet (the consent screen's words). */
export const CATEGORY_WORDS: Readonly<Record<string, string>> = {
  balances: 'balance updates',
  transactions: 'transaction notices',
  fraud_alerts: 'fraud alerts',
  receipts: 'receipts',
  shipping: 'shipping updates',
  events: 'event updates',
};

/** "receipts and shipping updates", "a, b and c". */
export function categoriesInWords(categories: readonly string[]): string {
  const words = categories.map((c) => CATEGORY_WORDS[c] ?? c.replaceAll('_', ' '));
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/** A page may ask the same customer at most this often, answered or not. */
export const REQUEST_INTERVAL_MS = DAY_MS;

export interface ConsentRequestView {
  id: string;
  page: { id: string; name: string };
  categories: Array<{ category: string; purpose: string }>;
  status: 'open' | 'allowed' | 'declined';
}

export class ConsentRequests {
  readonly #ctx: HubContext;
  constructor(ctx: HubContext) {
    this.#ctx = ctx;
  }

  /**
   * A page asks the customer behind `psid` for `categories`. Categories already allowed are
   * left out; all of them allowed, undeclared ones, or a request within the last day answer #100.
   */
  async request(
    principal: TokenPrincipal,
    psid: string,
    asked: readonly string[],
  ): Promise<{ request_id: string; message_id: string }> {
    const unknown = asked.filter((c) => !isConsentCategory(c));
    if (asked.length === 0 || unknown.length > 0) {
      throw new PlatformError('INVALID_PARAMETER', {
        message: `categories: give one or more of the consent categories${unknown.length > 0 ? ` (unknown: ${unknown.join(', ')})` : ''}`,
      });
    }
    const now = this.#ctx.now();
    return this.#ctx.storage.writes.run(async (tx) => {
      const conv = await tx.db
        .selectFrom('conversations as c')
        .innerJoin('pages as p', 'p.id', 'c.page_id')
        .select(['c.id', 'c.customer_id', 'c.page_id', 'p.name'])
        .where('c.page_id', '=', principal.pageId)
        .where('c.psid', '=', psid)
        .executeTakeFirst();
      if (conv === undefined) throw new PlatformError('NO_MATCHING_USER');
      const declared = (await listDeclarations(tx.db, principal.pageId)).map((d) => d.category as string);
      const undeclared = asked.filter((c) => !declared.includes(c));
      if (undeclared.length > 0)
        throw new PlatformError('INVALID_PARAMETER', {
          message: `categories: not declared by this page: ${undeclared.join(', ')}`,
        });
      const state = await findConsentState(tx.db, conv.customer_id, conv.page_id);
      const held =
        state?.status === 'active' && (state.expires_at ?? 0) > now ? (JSON.parse(state.categories) as string[]) : [];
      const categories = normalizeCategories(asked.filter((c) => !held.includes(c)));
      if (categories.length === 0)
        throw new PlatformError('INVALID_PARAMETER', {
          message: 'categories: the customer already allows all of them',
        });
      const recent = await tx.db
        .selectFrom('consent_requests')
        .select('id')
        .where('customer_id', '=', conv.customer_id)
        .where('page_id', '=', conv.page_id)
        .where('origin', '=', 'business')
        .where('created_at', '>', now - REQUEST_INTERVAL_MS)
        .executeTakeFirst();
      if (recent !== undefined)
        throw new PlatformError('RATE_LIMITED', { message: 'A page may ask a customer for consent once a day.' });
      const id = newId('cr', 16);
      await tx.db
        .insertInto('consent_requests')
        .values({
          id,
          customer_id: conv.customer_id,
          page_id: conv.page_id,
          conversation_id: conv.id,
          categories: JSON.stringify(categories),
          origin: 'business',
          created_at: now,
          answered_at: null,
          answer: null,
        })
        .execute();
      const message = await postHubMessage(tx, this.#ctx.bus, {
        conversation: { id: conv.id, customer_id: conv.customer_id },
        direction: 'out',
        body: {
          attachment: {
            type: 'template',
            payload: {
              template_type: 'consent_request',
              request_id: id,
              text: `${conv.name} would like to send you ${categoriesInWords(categories)}.`,
              categories,
            },
          },
        },
        now,
      });
      return { request_id: id, message_id: message.mid };
    });
  }

  /** The request as the customer's card and sheet show it; NOT_FOUND for anyone else's. */
  async view(customerId: string, id: string): Promise<ConsentRequestView> {
    const db = this.#ctx.storage.db;
    const row = await db
      .selectFrom('consent_requests as r')
      .innerJoin('pages as p', 'p.id', 'r.page_id')
      .select(['r.id', 'r.page_id', 'p.name', 'r.categories', 'r.answer'])
      .where('r.id', '=', id)
      .where('r.customer_id', '=', customerId)
      .executeTakeFirst();
    if (row === undefined) throw new PlatformError('NOT_FOUND');
    const purposes = new Map((await listDeclarations(db, row.page_id)).map((d) => [d.category as string, d.purpose]));
    return {
      id: row.id,
      page: { id: row.page_id, name: row.name },
      categories: (JSON.parse(row.categories) as string[]).map((category) => ({
        category,
        purpose: purposes.get(category) ?? '',
      })),
      status: row.answer ?? 'open',
    };
  }

  /**
   * The customer's answer, once: `allow` grants the chosen requested categories (still
   * declared) on top of what they already allow, with a signed receipt; `Not now` records
   * nothing in the ledger. Both are confirmed in the thread by the hub.
   */
  async answer(
    customerId: string,
    id: string,
    input: { allow: boolean; categories?: readonly string[] | undefined },
  ): Promise<ConsentRequestView> {
    const keys = SigningKeys.of(this.#ctx);
    await keys.ensure();
    const now = this.#ctx.now();
    await this.#ctx.storage.writes.run(async (tx) => {
      const row = await tx.db
        .selectFrom('consent_requests')
        .selectAll()
        .where('id', '=', id)
        .where('customer_id', '=', customerId)
        .executeTakeFirst();
      if (row === undefined) throw new PlatformError('NOT_FOUND');
      const spent = await tx.db
        .updateTable('consent_requests')
        .set({ answered_at: now, answer: input.allow ? 'allowed' : 'declined' })
        .where('id', '=', id)
        .where('answered_at', 'is', null)
        .executeTakeFirst();
      if ((spent.numUpdatedRows ?? 0n) === 0n)
        throw new PlatformError('BAD_REQUEST', { message: 'You already answered this request.' });
      const conv = await tx.db
        .selectFrom('conversations as c')
        .innerJoin('pages as p', 'p.id', 'c.page_id')
        .select(['c.id', 'c.customer_id', 'c.page_id', 'c.psid', 'p.name'])
        .where('c.id', '=', row.conversation_id)
        .executeTakeFirstOrThrow();
      let reply: string;
      if (input.allow) {
        const asked = JSON.parse(row.categories) as string[];
        const chosen = input.categories === undefined ? asked : input.categories.filter((c) => asked.includes(c));
        const declared = (await listDeclarations(tx.db, row.page_id)).map((d) => d.category as string);
        const granting = chosen.filter((c) => declared.includes(c));
        if (granting.length === 0)
          throw new PlatformError('BAD_REQUEST', {
            message: 'Choose at least one kind of update to allow, or answer Not now.',
          });
        const state = await findConsentState(tx.db, customerId, row.page_id);
        const held =
          state?.status === 'active' && (state.expires_at ?? 0) > now ? (JSON.parse(state.categories) as string[]) : [];
        const party = { customer_id: customerId, page_id: row.page_id, psid: conv.psid };
        await grantInTx(
          tx,
          { keys, issuer: this.#ctx.config.publicUrl },
          { party, categories: [...held, ...granting], durationDays: DEFAULT_DURATION_DAYS, source: 'settings', now },
        );
        reply = `Confide: ${conv.name} may now send you ${categoriesInWords(normalizeCategories(granting))}. You can change this any time in Privacy.`;
      } else {
        reply =
          row.origin === 'business'
            ? `Confide: nothing changed. ${conv.name} can ask again tomorrow at the earliest; you can allow updates any time in Privacy.`
            : 'Confide: nothing changed. You can allow updates any time in Privacy.';
      }
      await postHubMessage(tx, this.#ctx.bus, {
        conversation: { id: conv.id, customer_id: customerId },
        direction: 'out',
        body: { text: reply },
        now,
      });
      await appendFrame(
        tx,
        this.#ctx.bus,
        customerId,
        { type: 'conversation', conversation_id: conv.id, change: 'consent' },
        now,
      );
    });
    return this.view(customerId, id);
  }
}

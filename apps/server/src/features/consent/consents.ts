/**
 * Consent use cases for the customer's privacy center and the hub's sweep. Every lookup
 * is scoped to the customer's own conversations: a page they never talked to answers
 * NOT_FOUND, like an unknown one.
 */
import { PlatformError } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { SigningKeys } from '../../crypto/signing-keys.js';
import type { WriteTx } from '../../storage/write-queue.js';
import { findConversationByPair, type ConversationRow } from '../conversations/index.js';
import { unlinkInTx } from '../linking/unlink.js';
import { DEFAULT_DURATION_DAYS } from './categories.js';
import { declareCategory, listDeclarations, type Declaration } from './declarations.js';
import { expireDueInTx, grantInTx, renewInTx, revokeInTx } from './grants.js';
import { ledgerOfCustomer, type LedgerEvent, type LedgerSource } from './ledger.js';
import { privacyOverview } from './privacy-overview.js';
import { findReceiptOfCustomer } from './receipts.js';
import { sendDueReminders } from './reminders.js';
import type { LedgerEntryView, PrivacyBusiness } from './schemas.js';
import { appendFrame } from '../../timeline/index.js';

export class Consents {
  private readonly ctx: HubContext;
  private readonly keys: SigningKeys;
  constructor(ctx: HubContext) {
    this.ctx = ctx;
    this.keys = SigningKeys.of(ctx);
  }

  /** A page declares a category it sends, with the purpose customers will read. */
  declare(pageId: string, category: string, purpose: string): Promise<Declaration> {
    return declareCategory(this.ctx, { pageId, category, purpose });
  }

  /** Every business the customer talks to, with link and consent status. */
  async businesses(customerId: string): Promise<PrivacyBusiness[]> {
    return privacyOverview(this.ctx.storage.db, customerId, this.ctx.now());
  }

  async business(customerId: string, pageId: string): Promise<PrivacyBusiness> {
    const [entry] = await privacyOverview(this.ctx.storage.db, customerId, this.ctx.now(), pageId);
    if (entry === undefined) throw new PlatformError('NOT_FOUND');
    return entry;
  }

  /** Grants or changes the consent to exactly `categories` (declared ones only); `[]` revokes. */
  async set(
    customerId: string,
    pageId: string,
    categories: string[],
    durationDays = DEFAULT_DURATION_DAYS,
  ): Promise<PrivacyBusiness> {
    if (categories.length === 0) return this.revoke(customerId, pageId);
    await this.keys.ensure();
    await this.#write(customerId, pageId, async (tx, conv, now) => {
      const declared = (await listDeclarations(tx.db, pageId)).map((d) => d.category as string);
      const undeclared = categories.filter((c) => !declared.includes(c));
      if (undeclared.length > 0) {
        throw new PlatformError('BAD_REQUEST', {
          message: `Not declared by this business: ${undeclared.join(', ')}`,
          detail: { undeclared },
        });
      }
      await grantInTx(tx, this.#signing(), { party: conv, categories, durationDays, source: 'settings', now });
    });
    return this.business(customerId, pageId);
  }

  /** Renews the current grant for another `durationDays`. */
  async renew(customerId: string, pageId: string, durationDays = DEFAULT_DURATION_DAYS): Promise<PrivacyBusiness> {
    await this.keys.ensure();
    await this.#write(customerId, pageId, async (tx, conv, now) => {
      const declared = (await listDeclarations(tx.db, pageId)).map((d) => d.category as string);
      await renewInTx(tx, this.#signing(), { party: conv, declared, durationDays, source: 'settings', now });
    });
    return this.business(customerId, pageId);
  }

  /** Withdraws the consent in one action; the very next proactive send is refused. */
  async revoke(customerId: string, pageId: string): Promise<PrivacyBusiness> {
    await this.#write(customerId, pageId, (tx, conv, now) => revokeInTx(tx, { party: conv, source: 'settings', now }));
    return this.business(customerId, pageId);
  }

  /** Unlinks the customer's account at the business and revokes the consent. */
  async unlink(customerId: string, pageId: string): Promise<PrivacyBusiness> {
    await this.#write(customerId, pageId, (tx, conv, now) => unlinkInTx(tx, this.ctx.bus, { conversation: conv, now }));
    return this.business(customerId, pageId);
  }

  /** The customer's ledger entries, newest first. */
  async ledger(customerId: string, limit = 500): Promise<LedgerEntryView[]> {
    const rows = await ledgerOfCustomer(this.ctx.storage.db, customerId, limit);
    return rows.map(({ seq: _seq, ...r }) => ({
      ...r,
      event: r.event as LedgerEvent,
      source: r.source as LedgerSource,
      categories: JSON.parse(r.categories) as string[],
    }));
  }

  async receipt(customerId: string, receiptId: string) {
    const row = await findReceiptOfCustomer(this.ctx.storage.db, customerId, receiptId);
    if (row === undefined) throw new PlatformError('NOT_FOUND');
    const { customer_id: _c, categories, ...rest } = row;
    return { ...rest, categories: JSON.parse(categories) as string[] };
  }

  /** Records `expired` for lapsed grants and posts due reminders. Safe to run from several processes. */
  async sweep(leadDays = this.ctx.config.CONSENT_REMINDER_DAYS): Promise<{ expired: number; reminded: number }> {
    const now = this.ctx.now();
    const expired = await this.ctx.storage.writes.run((tx) => expireDueInTx(tx, now));
    const reminded = await sendDueReminders(this.ctx, now, leadDays);
    return { expired, reminded };
  }

  #signing() {
    return { keys: this.keys, issuer: this.ctx.config.publicUrl };
  }

  /** Runs `fn` on the customer's conversation with the page, then tells their other tabs. */
  async #write(
    customerId: string,
    pageId: string,
    fn: (tx: WriteTx, conv: ConversationRow, now: number) => Promise<unknown>,
  ): Promise<void> {
    const now = this.ctx.now();
    await this.ctx.storage.writes.run(async (tx) => {
      const conv = await findConversationByPair(tx.db, customerId, pageId);
      if (conv === undefined) throw new PlatformError('NOT_FOUND');
      await fn(tx, conv, now);
      await appendFrame(
        tx,
        this.ctx.bus,
        customerId,
        { type: 'conversation', conversation_id: conv.id, change: 'consent' },
        now,
      );
    });
  }
}

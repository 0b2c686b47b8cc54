/**
 * A first message to a conversation creates its encryption keys (privacy/vault.ts). Warmed
 * before the write is queued, keys of customers contacted at the same time share one
 * keystore commit and the group commit never waits on the keystore. Errors are left to the
 * transaction, which looks the recipient up again.
 */
import type { HubContext } from '../../context.js';
import { findConversationByPsid } from '../conversations/index.js';

export class RecipientKeys {
  readonly #ctx: HubContext;
  /** PSID → conversation and customer, an immutable mapping, to check whether a recipient's keys are warm. */
  readonly #recipients = new Map<string, { customerId: string; conversationId: string }>();

  constructor(ctx: HubContext) {
    this.#ctx = ctx;
  }

  /** The recipient's customer once warmed: the send's write partition (storage/pending-jobs.ts). */
  customerOf(pageId: string, psid: string): string | undefined {
    return this.#recipients.get(`${pageId}:${psid}`)?.customerId;
  }

  /** Nothing to wait for (no promise) when the recipient's keys are already in memory. */
  warm(pageId: string, psid: string): Promise<void> | undefined {
    const key = `${pageId}:${psid}`;
    const known = this.#recipients.get(key);
    if (known !== undefined && this.#ctx.storage.vault.keysWarm(known.customerId, known.conversationId)) return;
    return this.#warmCold(pageId, psid, key);
  }

  async #warmCold(pageId: string, psid: string, key: string): Promise<void> {
    const vault = this.#ctx.storage.vault;
    // Read again rather than trust the map: the customer may have been erased since.
    const conv = await findConversationByPsid(this.#ctx.storage.db, pageId, psid);
    if (conv === undefined) return;
    if (this.#recipients.size >= 100_000) this.#recipients.clear();
    this.#recipients.set(key, { customerId: conv.customer_id, conversationId: conv.id });
    await vault.warmKeys(conv.customer_id, conv.id).catch(() => undefined);
  }
}

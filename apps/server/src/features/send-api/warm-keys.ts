/**
 * A first message to a conversation creates its encryption keys (privacy/vault.ts). Warmed
 * before the write is queued, keys of customers contacted at the same time share one
 * keystore commit and the group commit never waits on the keystore. Sends arriving
 * together (a fan-out to thousands of new customers) are warmed together: one look-up of
 * their conversations per page, one keystore read and one keystore commit for all of them
 * (privacy/vault/key-warming.ts). Errors are left to the transaction, which looks the
 * recipient up again.
 */
import type { HubContext } from '../../context.js';
import { findConversationsByPsids } from '../conversations/index.js';

interface Waiting {
  readonly pageId: string;
  readonly psid: string;
}

export class RecipientKeys {
  readonly #ctx: HubContext;
  /** PSID → conversation and customer, an immutable mapping, to check whether a recipient's keys are warm. */
  readonly #recipients = new Map<string, { customerId: string; conversationId: string }>();
  /** Cold recipients waiting for the next batch, by `pageId:psid`. */
  #waiting = new Map<string, Waiting>();
  /** The next batch, settled once it is warmed: one promise for all its sends (a fan-out's batch is hundreds). */
  #next: Promise<void> | undefined;

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
    if (!this.#waiting.has(key)) this.#waiting.set(key, { pageId, psid });
    return (this.#next ??= new Promise((resolve) => setImmediate(() => void this.#warmBatch().finally(resolve))));
  }

  /** Warms every recipient that waited for this batch; its sends go on, warmed or not. */
  async #warmBatch(): Promise<void> {
    const batch = this.#waiting;
    this.#waiting = new Map();
    this.#next = undefined;
    try {
      await this.#ctx.storage.vault.warmMany(await this.#lookUp(batch));
    } catch {
      // Best effort: the transaction looks the recipient up again and creates what is missing.
    }
  }

  /** The batch's conversations, one statement per page; read again rather than trusted (an erasure may have happened). */
  async #lookUp(batch: ReadonlyMap<string, Waiting>): Promise<Array<{ customerId: string; conversationId: string }>> {
    const byPage = new Map<string, string[]>();
    for (const { pageId, psid } of batch.values()) {
      const psids = byPage.get(pageId);
      if (psids === undefined) byPage.set(pageId, [psid]);
      else psids.push(psid);
    }
    const pairs: Array<{ customerId: string; conversationId: string }> = [];
    for (const [pageId, psids] of byPage) {
      for (const conv of await findConversationsByPsids(this.#ctx.storage.db, pageId, psids)) {
        if (this.#recipients.size >= 100_000) this.#recipients.clear();
        const pair = { customerId: conv.customer_id, conversationId: conv.id };
        this.#recipients.set(`${pageId}:${conv.psid}`, pair);
        pairs.push(pair);
      }
    }
    return pairs;
  }
}

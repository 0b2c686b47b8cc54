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
  readonly done: Array<() => void>;
}

export class RecipientKeys {
  readonly #ctx: HubContext;
  /** PSID → conversation and customer, an immutable mapping, to check whether a recipient's keys are warm. */
  readonly #recipients = new Map<string, { customerId: string; conversationId: string }>();
  /** Cold recipients waiting for the next batch, by `pageId:psid`. */
  #waiting = new Map<string, Waiting>();

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
    return new Promise((resolve) => {
      let waiting = this.#waiting.get(key);
      if (waiting === undefined) this.#waiting.set(key, (waiting = { pageId, psid, done: [] }));
      waiting.done.push(resolve);
      if (this.#waiting.size === 1 && waiting.done.length === 1) setImmediate(() => void this.#warmBatch());
    });
  }

  /** Warms every recipient that waited for this batch; each waiter resolves, warmed or not. */
  async #warmBatch(): Promise<void> {
    const batch = this.#waiting;
    this.#waiting = new Map();
    try {
      await this.#ctx.storage.vault.warmMany(await this.#lookUp(batch));
    } catch {
      // Best effort: the transaction looks the recipient up again and creates what is missing.
    } finally {
      for (const waiting of batch.values()) for (const done of waiting.done) done();
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

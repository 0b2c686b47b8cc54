/**
 * `message_deliveries` webhooks: a business message is delivered when the hub wrote its frame
 * to one of the customer's sockets or the customer's app fetched it. Deliveries are gathered
 * in memory for `DELIVERY_RECEIPT_FLUSH_MS` and written as one event per conversation and
 * period (`{delivery: {mids, watermark}}`, Meta's shape), moving the conversation's
 * `customer_delivered_wm` in the same transaction as the outbox row, so an event is durable
 * once written and never repeats for a message already covered by the watermark (several tabs,
 * replays, refetches). Deliveries noted in the last period before a crash are lost: they are
 * receipts, and the next message's watermark covers them.
 */
import type { ChatMessage } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { findConversationOfCustomer } from '../conversations/index.js';
import { appendWebhook } from '../../timeline/index.js';
import { inList, listParam, prepare } from '../../storage/prepared.js';

interface PendingConversation {
  customerId: string;
  /** Delivered business messages by mid, with their time. */
  mids: Map<string, number>;
}

// Every flush runs these for each conversation it covers: prepared once (storage/prepared.ts).
// The mids are looked up by their unique index alone, the conversation and app checked on the
// rows: with `conversation_id = ?` in the statement, SQLite (without ANALYZE statistics) walked
// the conversation's whole history on every flush, a cost growing with every message.
const messagesByMid = prepare<{ mids: string | string[] }>()((db, p, dialect) =>
  db
    .selectFrom('messages')
    .select(['mid', 'conversation_id', 'app_id'])
    .where(inList('mid', p('mids'), 'text', dialect)),
);

const moveDelivered = prepare<{ conversationId: string; watermark: number }>()((db, p) =>
  db
    .updateTable('conversations')
    .set({ customer_delivered_wm: p('watermark') })
    .where('id', '=', p('conversationId'))
    .where('customer_delivered_wm', '<', p('watermark')),
);

/** Most mids listed in one delivery event; the watermark covers the rest. */
const MAX_MIDS = 100;

export class DeliveryReceipts {
  readonly #ctx: HubContext;
  #pending = new Map<string, PendingConversation>();
  readonly #timer: NodeJS.Timeout;
  #flushing: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(ctx: HubContext) {
    this.#ctx = ctx;
    this.#timer = setInterval(() => void this.flush(), ctx.config.DELIVERY_RECEIPT_FLUSH_MS);
    this.#timer.unref();
  }

  /** Notes messages now on the customer's device; only the business's messages count. */
  note(
    customerId: string,
    messages: Iterable<Pick<ChatMessage, 'mid' | 'conversation_id' | 'direction' | 'created_at'>>,
  ): void {
    if (this.#stopped) return;
    for (const m of messages) {
      if (m.direction !== 'out') continue;
      let entry = this.#pending.get(m.conversation_id);
      if (entry === undefined) {
        entry = { customerId, mids: new Map() };
        this.#pending.set(m.conversation_id, entry);
      }
      // Ids are per customer: a conversation noted for another customer is ignored at flush.
      if (entry.customerId === customerId) entry.mids.set(m.mid, m.created_at);
    }
  }

  /** Writes what was gathered; one flush at a time. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#flushNow());
    return this.#flushing;
  }

  /** Stops gathering and writes what is left. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.flush();
  }

  async #flushNow(): Promise<void> {
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    // One write per conversation, group-committed by the write queue (each rolls back alone).
    const results = await Promise.allSettled(
      [...batch].map(([conversationId, entry]) => this.#record(conversationId, entry)),
    );
    const failed = results.filter((r) => r.status === 'rejected').length;
    if (failed > 0)
      this.#ctx.log.warn(
        { failed, err: (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason },
        'delivery receipts not recorded',
      );
  }

  async #record(conversationId: string, { customerId, mids: noted }: PendingConversation): Promise<void> {
    const byCustomer = { partition: customerId }; // storage/pending-jobs.ts
    await this.#ctx.storage.writes.run(async (tx) => {
      const conv = await findConversationOfCustomer(tx.db, customerId, conversationId);
      if (conv === undefined) return;
      // Only what an app of the page sent: the hub's own messages in the thread (consent
      // reminders, system lines) are not the business's to hear about.
      const found = await messagesByMid.rows(tx.db, { mids: listParam(tx.db, [...noted.keys()]) });
      const sent = found.filter((r) => r.conversation_id === conv.id && r.app_id !== null);
      const mids = new Map(sent.map((r) => [r.mid, noted.get(r.mid) ?? 0]));
      if (mids.size === 0) return;
      const watermark = Math.max(...mids.values());
      if (watermark <= conv.customer_delivered_wm) return;
      const moved = await moveDelivered.run(tx.db, { conversationId: conv.id, watermark });
      if ((moved.numAffectedRows ?? 0n) === 0n) return;
      const fresh = [...mids].filter(([, at]) => at > conv.customer_delivered_wm).sort((a, b) => a[1] - b[1]);
      await appendWebhook(tx, this.#ctx.bus, {
        pageId: conv.page_id,
        conversationId: conv.id,
        customerId,
        psid: conv.psid,
        field: 'message_deliveries',
        item: { delivery: { mids: fresh.slice(-MAX_MIDS).map(([mid]) => mid), watermark } },
        threadOwnerAppId: conv.thread_owner_app_id,
        timestamp: this.#ctx.now(),
      });
    }, byCustomer);
  }
}

/**
 * `message_deliveries` webhooks: a business message is delivered when the hub wrote its frame
 * to one of the customer's sockets or the customer's app fetched it. Deliveries are gathered
 * in memory for `DELIVERY_RECEIPT_FLUSH_MS` and written as one event per conversation and
 * period (`{delivery: {mids, watermark}}`, Meta's shape), moving the conversation's
 * `customer_delivered_wm` in the same transaction as the outbox row, so an event is durable
 * once written and never repeats for a message already covered by the watermark (several tabs,
 * replays, refetches). Deliveries noted in the last period before a crash are lost: they are
 * receipts, and the next message's watermark covers them.
 *
 * A flush is set-based: up to `CONVERSATIONS_PER_JOB` conversations per write job, each
 * statement once for all of them (their rows, their messages, the watermarks moved in one
 * `UPDATE … FROM`), and the events appended to the transaction's set-based batch. A fan-out to
 * 20,000 customers is then 200 receipt jobs, not 20,000 (each a conversation read, a messages
 * read, an update and an outbox insert). The job holds its customers' partitions
 * (storage/pending-jobs.ts), so on PostgreSQL no batch in flight writes their rows meanwhile.
 */
import type { ChatMessage } from '@confide/protocol';
import { sql, type Kysely } from 'kysely';
import type { HubContext } from '../../context.js';
import { appendToTimeline, type TimelineEntry } from '../../timeline/index.js';
import { inList, listParam, pairsTable, prepare } from '../../storage/prepared.js';
import type { Database } from '../../storage/schema.js';

interface PendingConversation {
  customerId: string;
  /** Delivered business messages by mid, with their time. */
  mids: Map<string, number>;
}

// Every flush runs these for the conversations it covers: prepared once (storage/prepared.ts).
// The business's messages among the noted mids (sent by an app: the hub's own lines are not the
// business's to hear about), looked up by their unique index alone, the conversation and customer
// checked on the rows: with `conversation_id = ?` in the statement, SQLite (without ANALYZE
// statistics) walked the conversation's whole history on every flush, a cost growing with every
// message. Two narrow reads, not one joined: a flush notes thousands of mids in a few
// conversations (a busy chat), and a joined row per mid cost 40% more than the two.
const sentMessagesByMid = prepare<{ mids: string | string[] }>()((db, p, dialect) =>
  db
    .selectFrom('messages')
    .select(['mid', 'conversation_id'])
    .where(inList('mid', p('mids'), 'text', dialect))
    .where('app_id', 'is not', null),
);

/** What a flush's events and watermarks need of each conversation. */
const conversationsByIds = prepare<{ ids: string | string[] }>()((db, p, dialect) =>
  db
    .selectFrom('conversations')
    .select(['id', 'customer_id', 'page_id', 'psid', 'customer_delivered_wm', 'thread_owner_app_id'])
    .where(inList('id', p('ids'), 'text', dialect)),
);

/** Moves each conversation's watermark forward (never back); returns the conversations it moved. */
const moveDelivered = prepare<{ ids: string | string[]; watermarks: string | number[] }>()((db, p, dialect) =>
  db
    .updateTable('conversations')
    .from(pairsTable(p('ids'), p('watermarks'), ['text', 'bigint'], dialect).as('w'))
    .set({ customer_delivered_wm: sql<number>`w.v` })
    .whereRef('conversations.id', '=', sql<string>`w.k`)
    .where('conversations.customer_delivered_wm', '<', sql<number>`w.v`)
    .returning('conversations.id as id'),
);

/** Conversations whose deliveries one write job records. */
const CONVERSATIONS_PER_JOB = 100;

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
    const pending = [...this.#pending];
    this.#pending = new Map();
    const jobs: Array<typeof pending> = [];
    for (let i = 0; i < pending.length; i += CONVERSATIONS_PER_JOB)
      jobs.push(pending.slice(i, i + CONVERSATIONS_PER_JOB));
    // Group-committed by the write queue with whatever else is waiting.
    const results = await Promise.allSettled(jobs.map((job) => this.#record(job)));
    const failed = results.filter((r) => r.status === 'rejected').length;
    if (failed > 0)
      this.#ctx.log.warn(
        { failed, err: (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason },
        'delivery receipts not recorded',
      );
  }

  /** One write job for these conversations' deliveries: reads, the watermarks and the events, set-based. */
  async #record(conversations: Array<[string, PendingConversation]>): Promise<void> {
    const partition = [...new Set(conversations.map(([, entry]) => entry.customerId))]; // storage/pending-jobs.ts
    await this.#ctx.storage.writes.run(
      async (tx) => {
        const moves = await deliveriesToRecord(tx.db, conversations);
        if (moves.length === 0) return;
        const ids = moves.map((m) => m.conversation.id);
        const watermarks = moves.map((m) => m.watermark);
        const params = { ids: listParam(tx.db, ids), watermarks: listParam(tx.db, watermarks) };
        const moved = new Set((await moveDelivered.rows(tx.db, params)).map((r) => r.id));
        const entries = moves
          .filter((m) => moved.has(m.conversation.id))
          .map((m): TimelineEntry => this.#deliveryEvent(m));
        if (entries.length > 0) await appendToTimeline(tx, this.#ctx.bus, entries);
      },
      { partition, setBased: true },
    );
  }

  #deliveryEvent({ conversation: conv, fresh, watermark }: Move): TimelineEntry {
    return {
      kind: 'webhook',
      event: {
        pageId: conv.page_id,
        conversationId: conv.id,
        customerId: conv.customer_id,
        psid: conv.psid,
        field: 'message_deliveries',
        item: { delivery: { mids: fresh.slice(-MAX_MIDS), watermark } },
        threadOwnerAppId: conv.thread_owner_app_id,
        timestamp: this.#ctx.now(),
      },
    };
  }
}

/** A conversation's row as a flush reads it: what its event and its watermark need. */
type DeliveredIn = Awaited<ReturnType<typeof conversationsByIds.rows>>[number];

/** A conversation whose watermark a flush moves: the mids newly delivered, oldest first. */
interface Move {
  conversation: DeliveredIn;
  fresh: string[];
  watermark: number;
}

/**
 * What the flush should record: for each conversation of its customer, the business's messages
 * noted past its watermark. Two statements for all the conversations.
 */
async function deliveriesToRecord(
  db: Kysely<Database>,
  conversations: ReadonlyArray<[string, PendingConversation]>,
): Promise<Move[]> {
  const mids = conversations.flatMap(([, entry]) => [...entry.mids.keys()]);
  const sentIn = new Map<string, string[]>();
  for (const { mid, conversation_id: id } of await sentMessagesByMid.rows(db, { mids: listParam(db, mids) })) {
    const sent = sentIn.get(id);
    if (sent === undefined) sentIn.set(id, [mid]);
    else sent.push(mid);
  }
  const ids = [...sentIn.keys()];
  const rows = ids.length === 0 ? [] : await conversationsByIds.rows(db, { ids: listParam(db, ids) });
  const byId = new Map(rows.map((row) => [row.id, row]));
  const moves: Move[] = [];
  for (const [conversationId, { customerId, mids: noted }] of conversations) {
    const conversation = byId.get(conversationId);
    // Ids are per customer: a conversation noted for another customer is ignored.
    if (conversation === undefined || conversation.customer_id !== customerId) continue;
    const delivered = (sentIn.get(conversationId) ?? []).flatMap((mid) => {
      const at = noted.get(mid);
      return at === undefined ? [] : [{ mid, at }];
    });
    if (delivered.length === 0) continue;
    const watermark = Math.max(...delivered.map((d) => d.at));
    if (watermark <= conversation.customer_delivered_wm) continue;
    const fresh = delivered.filter((d) => d.at > conversation.customer_delivered_wm).sort((a, b) => a.at - b.at);
    moves.push({ conversation, fresh: fresh.map((d) => d.mid), watermark });
  }
  return moves;
}

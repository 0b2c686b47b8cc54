/**
 * The customer's side of conversations: open one with a page (minting the PSID), list
 * them, page through messages, send, mark as read. Every lookup is scoped to the
 * customer, so another customer's conversation id answers NOT_FOUND, like an unknown one.
 */
import {
  PlatformError,
  type ChatMessage,
  type Conversation,
  type MessageBody,
  type PageProfile,
  type SearchQuery,
  type SearchResult,
  type SendChatMessageBody,
} from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { newId, randomScopedId } from '../../crypto/tokens.js';
import { handleReservedPayload } from '../consent/reminders.js';
import { presentPage, type Pages } from '../pages/pages.js';
import { awaitingAnswers, recordAnswer } from './answers.js';
import { personasOfRows } from '../../timeline/personas.js';
import { readPageProfile } from './page-profile.js';
import { presentConversation, presentMessage } from './presenters.js';
import { mediaLinksFor } from '../media/media-links.js';
import { appendMessage } from '../../timeline/index.js';
import { searchMessages } from './search.js';
import {
  findConversationByPair,
  findConversationOfCustomer,
  lastMessages,
  listConversationsOfCustomer,
  pageOfMessages,
  unreadCounts,
  type ConversationRow,
} from './store.js';
import type { WriteTx } from '../../storage/write-queue.js';
import { appendFrame, appendWebhook } from '../../timeline/index.js';

/**
 * Runs inside the transaction of a customer's message, before it is recorded; returns the
 * conversation as the message should see it (the agent inbox may reopen a resolved one).
 */
export type CustomerMessageObserver = (tx: WriteTx, conversation: ConversationRow) => Promise<ConversationRow>;
/** Takes a customer's answer to a hub prompt out of the business path (undefined: not one of its answers). */
export type ReservedAnswerHandler = (
  tx: WriteTx,
  conversation: ConversationRow,
  body: MessageBody,
  now: number,
) => Promise<ChatMessage | undefined>;

/** Told which messages the customer's app fetched (features/realtime/delivery-receipts.ts implements it). */
export interface FetchedMessages {
  note(
    customerId: string,
    messages: Iterable<Pick<ChatMessage, 'mid' | 'conversation_id' | 'direction' | 'created_at'>>,
  ): void;
}

export class Conversations {
  private readonly ctx: HubContext;
  private readonly pages: Pages;
  /** Told which business messages the customer's app fetched (message_deliveries). */
  private readonly deliveries: FetchedMessages | undefined;
  readonly #beforeCustomerMessage: CustomerMessageObserver[] = [];
  readonly #reservedAnswers: ReservedAnswerHandler[] = [];
  constructor(ctx: HubContext, pages: Pages, deliveries?: FetchedMessages) {
    this.deliveries = deliveries;
    this.ctx = ctx;
    this.pages = pages;
  }

  /** Registers a handler of the hub's own reserved answers (it returns undefined for others). */
  onReservedAnswer(handler: ReservedAnswerHandler): void {
    this.#reservedAnswers.push(handler);
  }

  /** Registers `observer` for every customer message (not the hub's reserved answers). */
  onCustomerMessage(observer: CustomerMessageObserver): void {
    this.#beforeCustomerMessage.push(observer);
  }

  /** Starts or reopens the conversation with a page. The first meeting mints the PSID. */
  async open(customerId: string, pageId: string): Promise<Conversation> {
    const page = await this.pages.findPage(pageId);
    if (page === undefined) throw new PlatformError('NOT_FOUND', { message: 'No such business.' });
    const now = this.ctx.now();
    const row = await this.ctx.storage.writes.run(async ({ db }) => {
      const existing = await findConversationByPair(db, customerId, pageId);
      if (existing !== undefined) return existing;
      const created: ConversationRow = {
        id: newId('c', 12),
        customer_id: customerId,
        page_id: pageId,
        // Random, never derived from the customer id; the unique index makes a collision fail loudly.
        psid: randomScopedId(),
        created_at: now,
        last_message_at: now,
        last_customer_message_at: null,
        customer_delivered_wm: 0,
        customer_read_wm: 0,
        page_delivered_wm: 0,
        page_read_wm: 0,
        thread_owner_app_id: null,
      };
      await db.insertInto('conversations').values(created).execute();
      return created;
    });
    return presentConversation(row, page, null, 0);
  }

  async list(customerId: string): Promise<Conversation[]> {
    const db = this.ctx.storage.db;
    const rows = await listConversationsOfCustomer(db, customerId);
    const [last, unread, awaiting] = await Promise.all([
      lastMessages(
        db,
        rows.map((r) => r.id),
      ),
      unreadCounts(db, customerId),
      awaitingAnswers(db, customerId),
    ]);
    const personas = await personasOfRows(db, last);
    const lastById = new Map(
      await Promise.all(
        last.map(
          async (m) =>
            [
              m.conversation_id,
              await presentMessage(this.ctx.storage.vault, customerId, m, personas, mediaLinksFor(this.ctx.config)),
            ] as const,
        ),
      ),
    );
    return rows.map((r) =>
      presentConversation(
        r,
        presentPage({
          id: r.page_id,
          name: r.name,
          category: r.category,
          description: r.description,
          privacy_policy_url: r.privacy_policy_url,
          picture_version: r.picture_version,
        }),
        lastById.get(r.id) ?? null,
        unread.get(r.id) ?? 0,
        awaiting.get(r.id) ?? 0,
      ),
    );
  }

  async get(customerId: string, conversationId: string): Promise<Conversation> {
    const found = (await this.list(customerId)).find((c) => c.id === conversationId);
    if (found === undefined) throw new PlatformError('NOT_FOUND');
    return found;
  }

  /** Newest first; `before` is the `next_cursor` of the previous page. */
  async messages(
    customerId: string,
    conversationId: string,
    before: string | undefined,
    limit: number,
  ): Promise<{ data: ChatMessage[]; next_cursor: string | null }> {
    await this.#own(customerId, conversationId);
    const beforeId = before === undefined ? undefined : Number(before);
    if (beforeId !== undefined && (!Number.isSafeInteger(beforeId) || beforeId < 0))
      throw new PlatformError('BAD_REQUEST', { message: 'before: invalid cursor' });
    const rows = await pageOfMessages(this.ctx.storage.db, conversationId, beforeId, limit + 1);
    const page = rows.slice(0, limit);
    const next = rows.length > limit ? page.at(-1) : undefined;
    const personas = await personasOfRows(this.ctx.storage.db, page);
    const data = await Promise.all(
      page.map((r) => presentMessage(this.ctx.storage.vault, customerId, r, personas, mediaLinksFor(this.ctx.config))),
    );
    this.deliveries?.note(customerId, data);
    return { data, next_cursor: next === undefined ? null : String(next.id) };
  }

  /** The customer's messages that contain every word of the query, newest first (search.ts). */
  search(customerId: string, query: SearchQuery): Promise<SearchResult> {
    return searchMessages(this.ctx, customerId, query);
  }

  /** The public Messenger Profile of the conversation's page (Get Started, greeting, ice breakers, menu). */
  async profile(
    customer: { id: string; username: string },
    conversationId: string,
    locale: string | undefined,
  ): Promise<PageProfile> {
    const conv = await this.#own(customer.id, conversationId);
    return readPageProfile(this.ctx.storage.db, conv.page_id, { locale, customerName: customer.username });
  }

  /**
   * The customer sends text, answers a quick reply or taps a postback button; `surface`
   * marks what their own assistant sent for them (the business's webhook says so).
   */
  async send(
    customerId: string,
    conversationId: string,
    input: SendChatMessageBody,
    surface?: 'assistant',
  ): Promise<ChatMessage> {
    const typed: MessageBody =
      'text' in input
        ? { text: input.text }
        : 'quick_reply' in input
          ? { text: input.quick_reply.title, quick_reply: { payload: input.quick_reply.payload } }
          : input.postback.message_mid === undefined
            ? { postback: { title: input.postback.title, payload: input.postback.payload } }
            : {
                postback: { title: input.postback.title, payload: input.postback.payload },
                reply_to: { mid: input.postback.message_mid },
              };
    const body: MessageBody = surface === undefined ? typed : { ...typed, surface };
    const byCustomer = { partition: customerId }; // storage/pending-jobs.ts
    const message = await this.ctx.storage.writes.run(async (tx) => {
      const found = await findConversationOfCustomer(tx.db, customerId, conversationId);
      if (found === undefined) throw new PlatformError('NOT_FOUND');
      let conv = found;
      // Answers to the hub's own prompts (CONFIDE_CONSENT_*) stay in the hub: never forwarded to the business.
      const reserved = await handleReservedPayload(tx, this.ctx, { conversation: conv, body, now: this.ctx.now() });
      if (reserved !== undefined) return reserved;
      for (const handler of this.#reservedAnswers) {
        const handled = await handler(tx, conv, body, this.ctx.now());
        if (handled !== undefined) return handled;
      }
      if ('postback' in input && input.postback.message_mid !== undefined) {
        const { title, payload, message_mid: messageMid } = input.postback;
        await recordAnswer(tx, {
          conversationId: conv.id,
          customerId,
          messageMid,
          title,
          payload,
          now: this.ctx.now(),
        });
      }
      for (const observer of this.#beforeCustomerMessage) conv = await observer(tx, conv);
      return appendMessage(tx, this.ctx.bus, { conversation: conv, direction: 'in', body, now: this.ctx.now() });
    }, byCustomer);
    this.ctx.metrics.messagesStored.inc({ direction: 'in' });
    return message;
  }

  /** Marks everything up to now as read: other tabs and the business are told. */
  async markRead(customerId: string, conversationId: string): Promise<{ watermark: number }> {
    const now = this.ctx.now();
    const byCustomer = { partition: customerId };
    await this.ctx.storage.writes.run(async (tx) => {
      const conv = await findConversationOfCustomer(tx.db, customerId, conversationId);
      if (conv === undefined) throw new PlatformError('NOT_FOUND');
      await tx.db.updateTable('conversations').set({ customer_read_wm: now }).where('id', '=', conv.id).execute();
      await appendFrame(
        tx,
        this.ctx.bus,
        customerId,
        { type: 'receipt', conversation_id: conv.id, side: 'customer', kind: 'read', watermark: now },
        now,
      );
      await appendWebhook(tx, this.ctx.bus, {
        pageId: conv.page_id,
        conversationId: conv.id,
        customerId,
        psid: conv.psid,
        field: 'message_reads',
        item: { read: { watermark: now } },
        threadOwnerAppId: conv.thread_owner_app_id,
        timestamp: now,
      });
    }, byCustomer);
    return { watermark: now };
  }

  async #own(customerId: string, conversationId: string): Promise<ConversationRow> {
    const conv = await findConversationOfCustomer(this.ctx.storage.db, customerId, conversationId);
    if (conv === undefined) throw new PlatformError('NOT_FOUND');
    return conv;
  }
}

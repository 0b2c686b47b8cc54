/**
 * The agent inbox use cases: the queue of conversations the page handed to the page inbox
 * (263902037430900), taking one, reading it (every view is recorded), replying as the page
 * under the agent's persona with the HUMAN_AGENT tag through the Send API pipeline, and
 * "Done", which passes thread control back to the page's primary app (Handover).
 */
import { PAGE_INBOX_APP_ID, PlatformError, type InboxChange, type InboxConversation, type InboxMessage, type InboxQueue } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import type { WriteTx } from '../../storage/write-queue.js';
import { personasOfRows } from '../conversations/message-personas.js';
import { lastMessages, pageOfMessages } from '../conversations/store.js';
import type { Handover, ThreadTransfer } from '../handover/handover.js';
import { HUMAN_AGENT_WINDOW_MS } from '../send-api/pipeline/check-window.js';
import type { SendApi } from '../send-api/send-message.js';
import type { Agent } from './agents.js';
import { findInboxConversation, listInboxConversations, type InboxConversationRow } from './inbox-store.js';
import { presentInboxMessage, presentQueueItem } from './presenters.js';
import { mediaLinksFor } from '../media/media-links.js';

/** Messages an agent sees when opening a conversation (newest). */
const HISTORY_LIMIT = 200;

export class Inbox {
  private readonly ctx: HubContext;
  private readonly handover: Handover;
  private readonly sendApi: SendApi;

  constructor(ctx: HubContext, handover: Handover, sendApi: SendApi) {
    this.ctx = ctx;
    this.handover = handover;
    this.sendApi = sendApi;
    handover.onTransfer((tx, transfer) => this.#track(tx, transfer));
  }

  /** The page's inbox conversations, longest waiting first. */
  async queue(agent: Agent): Promise<InboxQueue> {
    const db = this.ctx.storage.db;
    const rows = await listInboxConversations(db, agent.page_id);
    const last = await lastMessages(
      db,
      rows.map((r) => r.id),
    );
    const personas = await personasOfRows(db, last);
    const byConversation = new Map(last.map((m) => [m.conversation_id, m]));
    const data = await Promise.all(
      rows.map(async (row) => {
        const message = byConversation.get(row.id);
        return presentQueueItem(
          row,
          message === undefined ? null : await presentInboxMessage(this.ctx.storage.vault, agent.id, row.customer_id, message, personas, mediaLinksFor(this.ctx.config)),
        );
      }),
    );
    data.sort((a, b) => a.queued_at - b.queued_at || a.conversation_id.localeCompare(b.conversation_id));
    return { data, now: this.ctx.now() };
  }

  /**
   * Assigns the conversation to the agent (idempotent for its own assignee).
   * @throws PlatformError `NOT_FOUND` outside the agent's inbox, `CONVERSATION_TAKEN` when another agent has it.
   */
  async take(agent: Agent, conversationId: string): Promise<void> {
    await this.ctx.storage.writes.run(async (tx) => {
      const conv = await findInboxConversation(tx.db, agent.page_id, conversationId);
      if (conv === undefined) throw new PlatformError('NOT_FOUND');
      if (conv.agent_id === agent.id) return;
      const now = this.ctx.now();
      await tx.db
        .insertInto('inbox_threads')
        .values({ conversation_id: conv.id, page_id: conv.page_id, queued_at: now, agent_id: null, assigned_at: null })
        .onConflict((oc) => oc.column('conversation_id').doNothing())
        .execute();
      // Conditional on "still free", so two agents racing across processes cannot both win.
      const taken = await tx.db
        .updateTable('inbox_threads')
        .set({ agent_id: agent.id, assigned_at: now })
        .where('conversation_id', '=', conv.id)
        .where((eb) => eb.or([eb('agent_id', 'is', null), eb('agent_id', '=', agent.id)]))
        .executeTakeFirst();
      if (taken.numUpdatedRows === 0n) throw new PlatformError('CONVERSATION_TAKEN');
      this.#publish(tx, conv.page_id, conv.id, 'taken');
    });
  }

  /** The conversation's history and customer profile; records the view for the audit log. */
  async view(agent: Agent, conversationId: string): Promise<InboxConversation> {
    const conv = await this.ctx.storage.writes.run(async (tx) => {
      const row = await findInboxConversation(tx.db, agent.page_id, conversationId);
      if (row === undefined) throw new PlatformError('NOT_FOUND');
      await tx.db.insertInto('agent_views').values({ agent_id: agent.id, conversation_id: row.id, viewed_at: this.ctx.now() }).execute();
      return row;
    });
    const db = this.ctx.storage.db;
    const rows = (await pageOfMessages(db, conv.id, undefined, HISTORY_LIMIT)).reverse();
    const personas = await personasOfRows(db, rows);
    const { last_message: _last, ...item } = presentQueueItem(conv, null);
    return {
      ...item,
      reply_until: conv.last_customer_message_at === null ? null : conv.last_customer_message_at + HUMAN_AGENT_WINDOW_MS,
      messages: await Promise.all(rows.map((m) => presentInboxMessage(this.ctx.storage.vault, agent.id, conv.customer_id, m, personas, mediaLinksFor(this.ctx.config)))),
      now: this.ctx.now(),
    };
  }

  /**
   * Sends `text` as the page under the agent's persona, tagged HUMAN_AGENT, through the
   * Send API pipeline as the page inbox app: thread owner, the 7-day window, rate limits,
   * the customer's stream and the echo to the page's apps all apply. Takes the
   * conversation first when nobody has.
   */
  async reply(agent: Agent, conversationId: string, text: string): Promise<InboxMessage> {
    await this.take(agent, conversationId);
    const conv = await this.#find(agent, conversationId);
    const sent = await this.sendApi.send({
      params: {
        recipient: { id: conv.psid },
        messaging_type: 'MESSAGE_TAG',
        tag: 'HUMAN_AGENT',
        persona_id: agent.persona_id,
        message: { text },
      },
      path: {},
      file: undefined,
      principal: { pageId: agent.page_id, appId: PAGE_INBOX_APP_ID, tokenId: 'page-inbox' },
      token: '',
    });
    const mid = 'message_id' in sent ? sent.message_id : undefined;
    const row = await this.ctx.storage.db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', conv.id)
      .where('mid', '=', mid ?? '')
      .executeTakeFirstOrThrow();
    return presentInboxMessage(this.ctx.storage.vault, agent.id, conv.customer_id, row, await personasOfRows(this.ctx.storage.db, [row]), mediaLinksFor(this.ctx.config));
  }

  /**
   * "Done": the thread goes back to the page's primary app, which receives
   * `pass_thread_control` (with the agent's note as its `metadata`); the conversation leaves the queue.
   * @throws PlatformError `CONVERSATION_TAKEN` when another agent has it.
   */
  async done(agent: Agent, conversationId: string, note?: string): Promise<void> {
    const conv = await this.#find(agent, conversationId);
    if (conv.agent_id !== null && conv.agent_id !== agent.id) throw new PlatformError('CONVERSATION_TAKEN');
    await this.handover.passBack(conv.id, note);
  }

  async #find(agent: Agent, conversationId: string): Promise<InboxConversationRow> {
    const conv = await findInboxConversation(this.ctx.storage.db, agent.page_id, conversationId);
    if (conv === undefined) throw new PlatformError('NOT_FOUND');
    return conv;
  }

  /** Keeps `inbox_threads` in step with thread control, inside the handover's transaction. */
  async #track(tx: WriteTx, transfer: ThreadTransfer): Promise<void> {
    if (transfer.newOwner === PAGE_INBOX_APP_ID) {
      await tx.db
        .insertInto('inbox_threads')
        .values({ conversation_id: transfer.conversationId, page_id: transfer.pageId, queued_at: transfer.at, agent_id: null, assigned_at: null })
        .onConflict((oc) => oc.column('conversation_id').doUpdateSet({ queued_at: transfer.at, agent_id: null, assigned_at: null }))
        .execute();
      this.#publish(tx, transfer.pageId, transfer.conversationId, 'queued');
    } else if (transfer.previousOwner === PAGE_INBOX_APP_ID) {
      await tx.db.deleteFrom('inbox_threads').where('conversation_id', '=', transfer.conversationId).execute();
      this.#publish(tx, transfer.pageId, transfer.conversationId, 'left');
    }
  }

  #publish(tx: WriteTx, pageId: string, conversationId: string, change: InboxChange): void {
    tx.afterCommit(() => this.ctx.bus.publish({ name: 'inbox.changed', pageId, conversationId, change }));
  }
}

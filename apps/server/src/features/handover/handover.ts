/**
 * The handover protocol (reference §9): passing, taking, requesting and releasing control
 * of a thread between the page's apps and the page inbox. Every change updates
 * `conversations.thread_owner_app_id` and enqueues the `messaging_handovers` event for the
 * app concerned in the same transaction: `pass_thread_control` to the new owner,
 * `take_thread_control` to the app that lost control, `request_thread_control` to the owner.
 */
import { PlatformError } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import type { WriteTx } from '../../storage/write-queue.js';
import { findConversationByPsid, type ConversationRow } from '../conversations/index.js';
import type { TokenPrincipal } from '../pages/pages.js';
import { currentOwner, PAGE_INBOX_APP_ID, primaryAppId, receiverIds } from './thread-owner.js';
import { appendWebhook } from '../../timeline/index.js';

type HandoverKind = 'pass_thread_control' | 'take_thread_control' | 'request_thread_control';

/** A change of thread owner, as seen by observers inside the transaction that makes it. */
export interface ThreadTransfer {
  conversationId: string;
  pageId: string;
  previousOwner: string;
  newOwner: string;
  at: number;
  /** The `metadata` of the pass or take (e.g. why the bot handed the conversation over). */
  metadata?: string;
}

/** Runs inside the handover's write transaction (the agent inbox keeps its queue with it). */
export type TransferObserver = (tx: WriteTx, transfer: ThreadTransfer) => Promise<void>;

export class Handover {
  private readonly ctx: HubContext;
  readonly #observers: TransferObserver[] = [];
  constructor(ctx: HubContext) {
    this.ctx = ctx;
  }

  /** Registers `observer` for every thread-control change, run in the same transaction. */
  onTransfer(observer: TransferObserver): void {
    this.#observers.push(observer);
  }

  /** The calling app hands the thread to `targetAppId` (another app of the page or the inbox). */
  async passThreadControl(
    principal: TokenPrincipal,
    psid: string,
    targetAppId: string,
    metadata?: string,
  ): Promise<void> {
    await this.#withConversation(principal.pageId, psid, async (tx, conv) => {
      const owner = await currentOwner(tx.db, conv);
      const primary = await primaryAppId(tx.db, conv.page_id);
      if (owner !== principal.appId && principal.appId !== primary)
        throw new PlatformError('NOT_THREAD_OWNER', {
          message: 'The action is invalid since it is not the thread owner.',
        });
      if (!(await receiverIds(tx.db, conv.page_id)).includes(targetAppId) || targetAppId === principal.appId) {
        throw new PlatformError('INVALID_PARAMETER', {
          message: 'param target_app_id must be another receiver of this page',
          detail: { param: 'target_app_id' },
        });
      }
      await this.#transfer(tx, conv, {
        previous: owner,
        next: targetAppId,
        primary,
        metadata,
        kind: 'pass_thread_control',
        notify: targetAppId,
      });
    });
  }

  /** The Primary Receiver takes the thread back from whoever holds it. */
  async takeThreadControl(principal: TokenPrincipal, psid: string, metadata?: string): Promise<void> {
    await this.#withConversation(principal.pageId, psid, async (tx, conv) => {
      const primary = await primaryAppId(tx.db, conv.page_id);
      if (principal.appId !== primary)
        throw new PlatformError('NOT_A_RECEIVER', { message: 'Only the Primary Receiver can take thread control.' });
      const owner = await currentOwner(tx.db, conv);
      if (owner === primary) return;
      await this.#transfer(tx, conv, {
        previous: owner,
        next: primary,
        primary,
        metadata,
        kind: 'take_thread_control',
        notify: owner,
      });
    });
  }

  /** A non-owner asks for the thread; the owner receives `request_thread_control`. */
  async requestThreadControl(principal: TokenPrincipal, psid: string, metadata?: string): Promise<void> {
    await this.#withConversation(principal.pageId, psid, async (tx, conv) => {
      const owner = await currentOwner(tx.db, conv);
      if (owner === principal.appId)
        throw new PlatformError('INVALID_PARAMETER', { message: 'The app already controls this thread.' });
      await this.#event(tx, conv, owner, 'request_thread_control', {
        requested_owner_app_id: principal.appId,
        ...(metadata === undefined ? {} : { metadata }),
      });
    });
  }

  /** The owner gives the thread back to the Primary Receiver. */
  async releaseThreadControl(principal: TokenPrincipal, psid: string, metadata?: string): Promise<void> {
    await this.#withConversation(principal.pageId, psid, async (tx, conv) => {
      const owner = await currentOwner(tx.db, conv);
      if (owner !== principal.appId)
        throw new PlatformError('NOT_THREAD_OWNER', {
          message: 'The action is invalid since it is not the thread owner.',
        });
      const primary = await primaryAppId(tx.db, conv.page_id);
      if (owner === primary) return;
      await this.#transfer(tx, conv, {
        previous: owner,
        next: primary,
        primary,
        metadata,
        kind: 'pass_thread_control',
        notify: primary,
      });
    });
  }

  /** The app that controls the thread of `psid`. */
  async threadOwner(principal: TokenPrincipal, psid: string): Promise<string> {
    const conv = await findConversationByPsid(this.ctx.storage.db, principal.pageId, psid);
    if (conv === undefined) throw new PlatformError('NO_MATCHING_USER');
    return currentOwner(this.ctx.storage.db, conv);
  }

  /** The page's Secondary Receivers (its other apps and the page inbox). */
  async secondaryReceivers(principal: TokenPrincipal): Promise<Array<{ id: string; name: string }>> {
    const db = this.ctx.storage.db;
    const primary = await primaryAppId(db, principal.pageId);
    const page = await db
      .selectFrom('pages')
      .select('name')
      .where('id', '=', principal.pageId)
      .executeTakeFirstOrThrow();
    return (await receiverIds(db, principal.pageId))
      .filter((id) => id !== primary)
      .map((id) => ({ id, name: id === PAGE_INBOX_APP_ID ? 'Page Inbox' : `${page.name} app ${id}` }));
  }

  /**
   * Agent inbox: human agents take the conversation. The app that loses control receives
   * `take_thread_control`.
   */
  async passToInbox(conversationId: string, metadata?: string): Promise<void> {
    await this.#withConversationId(conversationId, (tx, conv) => this.passToInboxIn(tx, conv, metadata));
  }

  /** `passToInbox` inside the caller's transaction (the inbox reopening a conversation the customer wrote to). */
  async passToInboxIn(tx: WriteTx, conv: ConversationRow, metadata?: string): Promise<void> {
    const owner = await currentOwner(tx.db, conv);
    if (owner === PAGE_INBOX_APP_ID) return;
    const primary = await primaryAppId(tx.db, conv.page_id);
    await this.#transfer(tx, conv, {
      previous: owner,
      next: PAGE_INBOX_APP_ID,
      primary,
      metadata,
      kind: 'take_thread_control',
      notify: owner,
    });
  }

  /** Agent inbox ("Done"): the thread goes back to the Primary Receiver, which receives `pass_thread_control`. */
  async passBack(conversationId: string, metadata?: string): Promise<void> {
    await this.#withConversationId(conversationId, (tx, conv) => this.passBackIn(tx, conv, metadata));
  }

  /** `passBack` inside the caller's transaction (the inbox's Resolve). */
  async passBackIn(tx: WriteTx, conv: ConversationRow, metadata?: string): Promise<void> {
    const owner = await currentOwner(tx.db, conv);
    const primary = await primaryAppId(tx.db, conv.page_id);
    if (owner === primary) return;
    await this.#transfer(tx, conv, {
      previous: owner,
      next: primary,
      primary,
      metadata,
      kind: 'pass_thread_control',
      notify: primary,
    });
  }

  async #withConversation(
    pageId: string,
    psid: string,
    fn: (tx: WriteTx, conv: ConversationRow) => Promise<void>,
  ): Promise<void> {
    await this.ctx.storage.writes.run(async (tx) => {
      const conv = await findConversationByPsid(tx.db, pageId, psid);
      if (conv === undefined) throw new PlatformError('NO_MATCHING_USER');
      await fn(tx, conv);
    });
  }

  async #withConversationId(
    conversationId: string,
    fn: (tx: WriteTx, conv: ConversationRow) => Promise<void>,
  ): Promise<void> {
    await this.ctx.storage.writes.run(async (tx) => {
      const conv = await tx.db
        .selectFrom('conversations')
        .selectAll()
        .where('id', '=', conversationId)
        .executeTakeFirst();
      if (conv === undefined) throw new PlatformError('NOT_FOUND');
      await fn(tx, conv as ConversationRow);
    });
  }

  async #transfer(
    tx: WriteTx,
    conv: ConversationRow,
    move: {
      previous: string;
      next: string;
      primary: string;
      metadata: string | undefined;
      kind: HandoverKind;
      notify: string;
    },
  ): Promise<void> {
    const stored = move.next === move.primary ? null : move.next;
    await tx.db.updateTable('conversations').set({ thread_owner_app_id: stored }).where('id', '=', conv.id).execute();
    const detail = {
      previous_owner_app_id: move.previous,
      new_owner_app_id: move.next,
      ...(move.metadata === undefined ? {} : { metadata: move.metadata }),
    };
    await this.#event(tx, { ...conv, thread_owner_app_id: stored }, move.notify, move.kind, detail);
    const transfer: ThreadTransfer = {
      conversationId: conv.id,
      pageId: conv.page_id,
      previousOwner: move.previous,
      newOwner: move.next,
      at: this.ctx.now(),
      ...(move.metadata === undefined ? {} : { metadata: move.metadata }),
    };
    for (const observer of this.#observers) await observer(tx, transfer);
    const pageId = conv.page_id;
    tx.afterCommit(() => this.ctx.bus.publish({ name: 'conversation.handed_over', pageId, conversationId: conv.id }));
  }

  /** Enqueues one `messaging_handovers` item for `appId` (the page inbox has no webhook). */
  async #event(
    tx: WriteTx,
    conv: ConversationRow,
    appId: string,
    kind: HandoverKind,
    detail: Record<string, unknown>,
  ): Promise<void> {
    if (appId === PAGE_INBOX_APP_ID) return;
    await appendWebhook(tx, this.ctx.bus, {
      pageId: conv.page_id,
      conversationId: conv.id,
      customerId: conv.customer_id,
      psid: conv.psid,
      field: 'messaging_handovers',
      item: { [kind]: detail },
      threadOwnerAppId: conv.thread_owner_app_id,
      targetAppId: appId,
      timestamp: this.ctx.now(),
    });
  }
}

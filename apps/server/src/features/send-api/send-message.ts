/**
 * The Send API use case, `POST /{version}/me/messages`, as a pipeline of named steps
 * (STYLE convention 4): authenticate (done by the Graph plumbing) → parse and validate →
 * recipient → references → thread owner → window, tags and consent → rate limit → store
 * via `recordMessage` in one transaction. The answer is sent only after commit.
 */
import { PlatformError, type SendMessageResponse, type SenderActionResponse } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { ContentErasedError } from '../../privacy/purposes.js';
import type { GraphCall } from '../../http/graph-request.js';
import type { Attachments } from '../attachments/attachments.js';
import { appendMessage } from '../../timeline/index.js';
import { findConversationByPsid } from '../conversations/store.js';
import { assertMaySend, assertThreadOwner } from '../handover/thread-owner.js';
import { awaitsAnswer, closeQuestion } from '../conversations/answers.js';
import { assertNoReservedPayload } from '../consent/reserved-payloads.js';
import { assertCategoryConsent } from '../consent/assert-consent.js';
import { noteRefusedUpdate } from '../consent/refused-update-notice.js';
import { fillTemplate } from '../templates/fill-template.js';
import { buildMessageBody, type StagedFile } from './pipeline/build-body.js';
import { assertWithinPolicy } from './pipeline/check-window.js';
import { assertPersona, loadRecipient, recipientsAhead } from './pipeline/load-recipient.js';
import { parseSendRequest, type SendCommand } from './pipeline/parse-send.js';
import type { PageRateLimiter } from './rate-limit.js';
import { appendFrame } from '../../timeline/index.js';

type MessageCommand = Extract<SendCommand, { kind: 'message' }>;
type ActionCommand = Extract<SendCommand, { kind: 'action' }>;
type UtilityCommand = Extract<SendCommand, { kind: 'utility' }>;

export class SendApi {
  private readonly ctx: HubContext;
  private readonly attachments: Attachments;
  private readonly limiter: PageRateLimiter;
  /** PSID → conversation and customer, an immutable mapping, to check whether a recipient's keys are warm. */
  readonly #recipients = new Map<string, { customerId: string; conversationId: string }>();

  constructor(ctx: HubContext, attachments: Attachments, limiter: PageRateLimiter) {
    this.ctx = ctx;
    this.attachments = attachments;
    this.limiter = limiter;
  }

  async send(call: GraphCall): Promise<SendMessageResponse | SenderActionResponse> {
    const cmd = parseSendRequest(call.params, {
      allowLoopbackHttp: this.ctx.config.NODE_ENV !== 'production',
      legacyTags: this.ctx.config.MESSENGER_TAGS === 'legacy',
    });
    if (cmd.kind === 'action') return this.#senderAction(call, cmd);
    const pageId = call.principal.pageId;
    try {
      // The hub's consent-prompt payloads are never the business's to send (features/consent/reserved-payloads.ts).
      if (cmd.kind === 'message') assertNoReservedPayload(cmd.message, 'message');
      const sent = cmd.kind === 'utility' ? await this.#utility(call, cmd) : await this.#message(call, cmd);
      this.ctx.metrics.pageSends.inc({ page_id: pageId });
      return sent;
    } catch (err) {
      this.ctx.metrics.pageSendErrors.inc({
        page_id: pageId,
        code: err instanceof PlatformError ? err.key : 'INTERNAL',
      });
      this.#countConsentRefusal(pageId, err);
      // The customer learns, quietly and once a day per category, what was refused (features/consent/refused-update-notice.ts).
      if (err instanceof PlatformError && err.key === 'CONSENT_REQUIRED') {
        const missing = err.detail?.['missing'];
        if (Array.isArray(missing))
          await noteRefusedUpdate(this.ctx, {
            pageId,
            psid: cmd.psid,
            categories: missing.filter((c): c is string => typeof c === 'string'),
          });
      }
      throw err;
    }
  }

  /** Sends refused for missing consent, per page and category (counts only; the console's statistics read them). */
  #countConsentRefusal(pageId: string, err: unknown): void {
    if (!(err instanceof PlatformError) || err.key !== 'CONSENT_REQUIRED') return;
    const detail = err.detail as { missing?: unknown; reason?: unknown } | undefined;
    const missing = Array.isArray(detail?.missing)
      ? detail.missing.filter((c): c is string => typeof c === 'string')
      : [];
    const reason = typeof detail?.reason === 'string' ? detail.reason : 'unknown';
    for (const category of missing.length === 0 ? ['none'] : missing)
      this.ctx.metrics.consentRefusals.inc({ page_id: pageId, category, reason });
  }

  async #message(call: GraphCall, cmd: MessageCommand): Promise<SendMessageResponse> {
    const { principal } = call;
    const staged = await this.#stage(call, cmd);
    await this.#warmKeys(principal.pageId, cmd.psid);
    try {
      const result = await this.ctx.storage.writes.run(
        async (tx) => {
          const now = this.ctx.now();
          const conv = await loadRecipient(tx.db, principal.pageId, cmd.psid, tx.ahead);
          await assertPersona(tx.db, principal.pageId, cmd.personaId);
          const built = await buildMessageBody(tx, {
            principal,
            conv,
            message: cmd.message,
            replyTo: cmd.replyTo,
            staged,
            attachments: this.attachments,
          });
          await assertMaySend(tx.db, conv, principal.appId, cmd);
          await assertWithinPolicy(tx.db, conv, cmd, now);
          await this.limiter.take(principal.pageId, now);
          const message = await appendMessage(tx, this.ctx.bus, {
            conversation: conv,
            direction: 'out',
            body: built.body,
            now,
            appId: principal.appId,
            personaId: cmd.personaId ?? null,
            messagingType: cmd.messagingType,
            tag: cmd.tag ?? null,
            notificationCategory: cmd.messagingType === 'MESSAGE_TAG' ? (cmd.category ?? null) : null,
            awaitsAnswer: awaitsAnswer(cmd.message, cmd),
          });
          if (cmd.replyTo !== undefined) await closeQuestion(tx, { conversationId: conv.id, mid: cmd.replyTo, now });
          for (const attachmentId of built.linked) {
            await tx.db
              .insertInto('message_attachments')
              .values({ attachment_id: attachmentId, conversation_id: conv.id, mid: message.mid, created_at: now })
              .execute();
          }
          const response: SendMessageResponse = { recipient_id: conv.psid, message_id: message.mid };
          if (built.reusableId !== undefined) response.attachment_id = built.reusableId;
          return response;
        },
        { readAhead: { source: recipientsAhead, key: { pageId: principal.pageId, psid: cmd.psid } } },
      );
      this.ctx.metrics.messagesStored.inc({ direction: 'out' });
      return result;
    } catch (err) {
      if (staged !== undefined) await this.attachments.blobs.delete(staged.blobKey).catch(() => undefined);
      // The recipient was erased while this send was under way: the keystore refuses new keys for them.
      if (err instanceof ContentErasedError) throw new PlatformError('NO_MATCHING_USER');
      throw err;
    }
  }

  /**
   * A utility template send (Utility Messages): any time, not bound to the 24-hour window,
   * but only with the customer's consent for the category the template declares, checked
   * in the send's transaction like a tagged update's.
   */
  async #utility(call: GraphCall, cmd: UtilityCommand): Promise<SendMessageResponse> {
    const { principal } = call;
    await this.#warmKeys(principal.pageId, cmd.psid);
    const result = await this.ctx.storage.writes.run(
      async (tx) => {
        const now = this.ctx.now();
        const conv = await loadRecipient(tx.db, principal.pageId, cmd.psid, tx.ahead);
        await assertPersona(tx.db, principal.pageId, cmd.personaId);
        const filled = await fillTemplate(tx.db, principal.pageId, cmd.message);
        await assertMaySend(tx.db, conv, principal.appId, {
          kind: 'message',
          messagingType: 'UTILITY',
          category: filled.category,
        });
        const body = {
          attachment: { type: 'template' as const, payload: { ...filled.payload } },
          ...(cmd.message.metadata === undefined ? {} : { metadata: cmd.message.metadata }),
        };
        assertNoReservedPayload(body, 'message');
        await assertCategoryConsent(tx.db, {
          customerId: conv.customer_id,
          pageId: conv.page_id,
          categories: [filled.category],
          now,
          detail: { template: cmd.message.template.name },
        });
        await this.limiter.take(principal.pageId, now);
        const message = await appendMessage(tx, this.ctx.bus, {
          conversation: conv,
          direction: 'out',
          body,
          now,
          appId: principal.appId,
          personaId: cmd.personaId ?? null,
          messagingType: 'UTILITY',
          tag: null,
          notificationCategory: filled.category,
          // A utility message always has a category: with a postback button it is a question.
          awaitsAnswer: (filled.payload.buttons ?? []).some((b) => b.type === 'postback'),
        });
        return { recipient_id: conv.psid, message_id: message.mid };
      },
      { readAhead: { source: recipientsAhead, key: { pageId: principal.pageId, psid: cmd.psid } } },
    );
    this.ctx.metrics.messagesStored.inc({ direction: 'out' });
    return result;
  }

  /**
   * A first message to a conversation creates its encryption keys (privacy/vault.ts). Done
   * here, before the write is queued, keys of customers contacted at the same time share
   * one keystore commit and the group commit never waits on the keystore. Errors are left
   * to the transaction, which looks the recipient up again.
   */
  async #warmKeys(pageId: string, psid: string): Promise<void> {
    const vault = this.ctx.storage.vault;
    const key = `${pageId}:${psid}`;
    const known = this.#recipients.get(key);
    if (known !== undefined && vault.keysWarm(known.customerId, known.conversationId)) return;
    // Read again rather than trust the map: the customer may have been erased since.
    const conv = await findConversationByPsid(this.ctx.storage.db, pageId, psid);
    if (conv === undefined) return;
    if (this.#recipients.size >= 100_000) this.#recipients.clear();
    this.#recipients.set(key, { customerId: conv.customer_id, conversationId: conv.id });
    await vault.warmKeys(conv.customer_id, conv.id).catch(() => undefined);
  }

  /** A multipart `filedata` part is written to the blob store before the transaction. */
  async #stage(call: GraphCall, cmd: MessageCommand): Promise<StagedFile | undefined> {
    const a = cmd.message.attachment;
    const wantsFile =
      a !== undefined && a.type !== 'template' && a.payload.url === undefined && a.payload.attachment_id === undefined;
    if (!wantsFile || call.file === undefined) return undefined;
    return { file: call.file, blobKey: await this.attachments.stage(call.file) };
  }

  /**
   * typing_on/typing_off are ephemeral frames on the customer's stream; mark_seen moves
   * the page's read watermark and is persisted as a receipt frame.
   */
  async #senderAction(call: GraphCall, cmd: ActionCommand): Promise<SenderActionResponse> {
    const { principal } = call;
    if (cmd.action !== 'mark_seen') {
      const db = this.ctx.storage.db;
      const now = this.ctx.now();
      const conv = await loadRecipient(db, principal.pageId, cmd.psid);
      await assertPersona(db, principal.pageId, cmd.personaId);
      await assertThreadOwner(db, conv, principal.appId);
      await assertWithinPolicy(db, conv, cmd, now);
      await this.limiter.take(principal.pageId, now);
      this.ctx.bus.publish({
        name: 'customer.frame',
        customerId: conv.customer_id,
        frame: { type: 'typing', conversation_id: conv.id, on: cmd.action === 'typing_on' },
      });
      return { recipient_id: conv.psid };
    }
    return this.ctx.storage.writes.run(async (tx) => {
      const now = this.ctx.now();
      const conv = await loadRecipient(tx.db, principal.pageId, cmd.psid);
      await assertPersona(tx.db, principal.pageId, cmd.personaId);
      await assertThreadOwner(tx.db, conv, principal.appId);
      await assertWithinPolicy(tx.db, conv, cmd, now);
      await this.limiter.take(principal.pageId, now);
      await tx.db.updateTable('conversations').set({ page_read_wm: now }).where('id', '=', conv.id).execute();
      await appendFrame(
        tx,
        this.ctx.bus,
        conv.customer_id,
        { type: 'receipt', conversation_id: conv.id, side: 'page', kind: 'read', watermark: now },
        now,
      );
      return { recipient_id: conv.psid };
    });
  }
}

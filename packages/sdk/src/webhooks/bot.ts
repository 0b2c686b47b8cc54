/**
 * @module webhooks/bot
 * A router from webhook items to typed handlers. Items run one after another in the
 * order received (Messenger sends a thread's messages in order), and a redelivered
 * customer message or postback is skipped (see {@link module:webhooks/dedupe}).
 */
import {
  MessageTemplateStatusUpdateSchema,
  RawWebhookEnvelopeSchema,
  WebhookEventSchema,
  webhookEventKind,
  type ApprovalEvent,
  type MessagingFeedbackEvent,
  type DeliveryEvent,
  type EchoEvent,
  type HandoverEvent,
  type IncomingMessageEvent,
  type MessageTemplateStatusUpdate,
  type OptinEvent,
  type PostbackEvent,
  type ReadEvent,
  type WebhookEvent,
} from '@confide/protocol';
import type { RecipientInput, SendOptions, SendResponse } from '../clients/message-types.js';
import type {
  AccountLinkedEvent,
  AccountUnlinkedEvent,
  BotEventMap,
  BotEventName,
  QuickReplyEvent,
} from './bot-events.js';
import { WebhookPayloadError } from '../errors.js';
import type { Platform } from '../platform.js';
import { DuplicateFilter, dedupeKey, type DedupeOptions } from './dedupe.js';

export type {
  AccountLinkedEvent,
  AccountUnlinkedEvent,
  BotEventMap,
  BotEventName,
  QuickReplyEvent,
} from './bot-events.js';

/** Per-item context passed to handlers. */
export interface BotContext {
  /** The page the entry is for. */
  pageId: string;
  /** Entry `time` (epoch ms). */
  time: number;
  /** True for items from `standby[]`. */
  standby: boolean;
  /** The customer the item is about (recipient of an echo, sender otherwise), if known. */
  customer: RecipientInput | undefined;
  /**
   * Replies with text to {@link BotContext.customer}.
   * @throws {TypeError} when the Bot has no `platform` or the item names no customer.
   */
  reply(text: string, options?: SendOptions): Promise<SendResponse>;
}

/** A handler; its return value is awaited. */
export type BotHandler<E> = (event: E, context: BotContext) => unknown;

/** Options of {@link Bot}. */
export interface BotOptions {
  /** Used by `context.reply`. */
  platform?: Platform;
  /**
   * Receives handler errors. Without it, `dispatch` still runs every item and then
   * rejects with the first error, so the hub redelivers the batch.
   */
  onError?: (error: unknown, event: unknown) => void;
  /**
   * Skips customer messages and postbacks whose `mid` was already handled on the page
   * (webhooks arrive at least once). On by default, remembering up to 10 000 mids per page
   * for 24 hours; pass bounds to change that, or `false` to see every copy.
   * An item whose handler failed (without `onError`) is not remembered, so its redelivery runs.
   */
  dedupe?: boolean | DedupeOptions;
}

/** Counts of one {@link Bot.dispatch}. */
export interface DispatchResult {
  /** Items that reached at least one handler. */
  handled: number;
  /** Items with no handler registered for their kind. */
  unhandled: number;
  /** Items skipped as repeats of ones already handled. */
  duplicates: number;
}

const customerOf = (event: WebhookEvent | undefined): RecipientInput | undefined => {
  if (event === undefined) return undefined;
  if (webhookEventKind(event) === 'echo') return event.recipient.id;
  const sender: { id?: string | undefined; user_ref?: string | undefined } = event.sender;
  if (sender.id !== undefined) return sender.id;
  return sender.user_ref === undefined ? undefined : { user_ref: sender.user_ref };
};

/**
 * Routes webhook items to handlers. A message with a quick reply goes to `onQuickReply`
 * when one is registered, otherwise to `onMessage`.
 * @example
 * const bot = new Bot({ platform })
 *   .onMessage((event, ctx) => ctx.reply(`You said: ${event.message.text ?? '(attachment)'}`))
 *   .onPostback((event) => console.log('tapped', event.postback.payload))
 *   .onAccountLinked((event) => saveLink(event.sender.id, event.account_linking.authorization_code));
 */
export class Bot {
  readonly #options: BotOptions;
  readonly #handlers: { [K in BotEventName]?: BotHandler<BotEventMap[K]>[] } = {};
  readonly #duplicates: DuplicateFilter | undefined;

  constructor(options: BotOptions = {}) {
    this.#options = options;
    const dedupe = options.dedupe ?? true;
    this.#duplicates = dedupe === false ? undefined : new DuplicateFilter(dedupe === true ? {} : dedupe);
  }

  /** Registers a handler for an event name; handlers of one name run in order. */
  on<K extends BotEventName>(name: K, handler: BotHandler<BotEventMap[K]>): this {
    ((this.#handlers[name] ??= []) as BotHandler<BotEventMap[K]>[]).push(handler);
    return this;
  }

  /** A customer's message (not a quick reply when `onQuickReply` is set). */
  onMessage(handler: BotHandler<IncomingMessageEvent>): this {
    return this.on('message', handler);
  }
  /** A tap on a quick-reply chip. */
  onQuickReply(handler: BotHandler<QuickReplyEvent>): this {
    return this.on('quick_reply', handler);
  }
  /** A postback button, Get Started or menu tap. */
  onPostback(handler: BotHandler<PostbackEvent>): this {
    return this.on('postback', handler);
  }
  /** Account linked; carries `authorization_code` and Confide's `consent`. */
  onAccountLinked(handler: BotHandler<AccountLinkedEvent>): this {
    return this.on('account_linked', handler);
  }
  /** Account unlinked, by the customer or the bank. */
  onAccountUnlinked(handler: BotHandler<AccountUnlinkedEvent>): this {
    return this.on('account_unlinked', handler);
  }
  /** Thread control passed, taken or requested, or app roles changed. */
  onHandover(handler: BotHandler<HandoverEvent>): this {
    return this.on('handover', handler);
  }
  /** Messages delivered up to a watermark. */
  onDelivery(handler: BotHandler<DeliveryEvent>): this {
    return this.on('delivery', handler);
  }
  /** Messages read up to a watermark. */
  onRead(handler: BotHandler<ReadEvent>): this {
    return this.on('read', handler);
  }
  /** A copy of a message the page sent. */
  onEcho(handler: BotHandler<EchoEvent>): this {
    return this.on('echo', handler);
  }
  /** An opt-in (plugin, one-time or recurring notification). */
  onOptin(handler: BotHandler<OptinEvent>): this {
    return this.on('optin', handler);
  }
  /** Any item received while another app owns the thread. */
  onStandby(handler: BotHandler<WebhookEvent>): this {
    return this.on('standby', handler);
  }
  /** A message template's review status changed (subscribe to `message_template_status_update`). */
  onTemplateStatus(handler: BotHandler<MessageTemplateStatusUpdate>): this {
    return this.on('template_status', handler);
  }
  /** A supervisor approved or rejected an approval request (subscribe to `approvals`). */
  onApproval(handler: BotHandler<ApprovalEvent>): this {
    return this.on('approval', handler);
  }
  /** The customer answered a feedback question (subscribe to `messaging_feedback`). */
  onFeedback(handler: BotHandler<MessagingFeedbackEvent>): this {
    return this.on('feedback', handler);
  }
  /** Items of kinds the SDK does not know. */
  onUnknown(handler: BotHandler<unknown>): this {
    return this.on('unknown', handler);
  }

  /**
   * Routes every item of a webhook body.
   * @param body the parsed JSON body (verify the raw bytes first).
   * @throws {WebhookPayloadError} when the body is not a page webhook envelope.
   */
  async dispatch(body: unknown): Promise<DispatchResult> {
    const envelope = RawWebhookEnvelopeSchema.safeParse(body);
    if (!envelope.success || envelope.data.object !== 'page') {
      throw new WebhookPayloadError('Body is not a page webhook envelope', envelope.error);
    }
    const result: DispatchResult = { handled: 0, unhandled: 0, duplicates: 0 };
    const errors: unknown[] = [];
    for (const entry of envelope.data.entry) {
      const items = [
        ...(entry.messaging ?? []).map((item) => ({ item, standby: false })),
        ...(entry.standby ?? []).map((item) => ({ item, standby: true })),
      ];
      for (const { item, standby } of items) {
        const parsed = WebhookEventSchema.safeParse(item);
        const event = parsed.success ? parsed.data : undefined;
        const context = this.#context(entry.id, entry.time, standby, event);
        const outcome = await this.#routeOnce(item, event, standby, context, errors);
        result[outcome]++;
      }
      for (const change of entry.changes ?? []) {
        const handled = await this.#routeChange(change, this.#context(entry.id, entry.time, false, undefined), errors);
        result[handled ? 'handled' : 'unhandled']++;
      }
    }
    if (errors.length > 0) throw errors[0];
    return result;
  }

  /** A page-level `{field, value}` change: template status updates are typed, others go to `onUnknown`. */
  async #routeChange(change: unknown, context: BotContext, errors: unknown[]): Promise<boolean> {
    const field = (change as { field?: unknown } | null)?.field;
    const status =
      field === 'message_template_status_update'
        ? MessageTemplateStatusUpdateSchema.safeParse((change as { value?: unknown }).value)
        : undefined;
    if (status?.success === true) return this.#emit('template_status', status.data, context, errors);
    return this.#emit('unknown', change, context, errors);
  }

  /** Routes an item unless the duplicate filter has seen it handled. */
  async #routeOnce(
    item: unknown,
    event: WebhookEvent | undefined,
    standby: boolean,
    context: BotContext,
    errors: unknown[],
  ): Promise<keyof DispatchResult> {
    const key = event === undefined || this.#duplicates === undefined ? undefined : dedupeKey(event, standby);
    const claim = key === undefined ? undefined : await this.#duplicates?.claim(context.pageId, key);
    if (key !== undefined && claim === undefined) return 'duplicates';
    const failuresBefore = errors.length;
    let ok = false;
    try {
      const handled = await this.#route(item, event, standby, context, errors);
      ok = errors.length === failuresBefore;
      return handled ? 'handled' : 'unhandled';
    } finally {
      claim?.settle(ok);
    }
  }

  #context(pageId: string, time: number, standby: boolean, event: WebhookEvent | undefined): BotContext {
    const customer = customerOf(event);
    const platform = this.#options.platform;
    return {
      pageId,
      time,
      standby,
      customer,
      reply: (text, options) => {
        if (!platform) return Promise.reject(new TypeError('Bot has no platform to reply with'));
        if (customer === undefined) return Promise.reject(new TypeError('This event names no customer to reply to'));
        return platform.messages.sendText(customer, text, options);
      },
    };
  }

  /** @param event the item parsed, or undefined for kinds the SDK does not know. */
  async #route(
    item: unknown,
    event: WebhookEvent | undefined,
    standby: boolean,
    context: BotContext,
    errors: unknown[],
  ): Promise<boolean> {
    if (event === undefined) return this.#emit('unknown', item, context, errors);
    if (standby) return this.#emit('standby', event, context, errors);
    if ('message' in event) {
      if (event.message.is_echo === true) return this.#emit('echo', event as EchoEvent, context, errors);
      const message = event as IncomingMessageEvent;
      if (message.message.quick_reply && this.#handlers.quick_reply?.length) {
        return this.#emit('quick_reply', message as QuickReplyEvent, context, errors);
      }
      return this.#emit('message', message, context, errors);
    }
    if ('postback' in event) return this.#emit('postback', event, context, errors);
    if ('delivery' in event) return this.#emit('delivery', event, context, errors);
    if ('read' in event) return this.#emit('read', event, context, errors);
    if ('optin' in event) return this.#emit('optin', event, context, errors);
    if ('approval' in event) return this.#emit('approval', event, context, errors);
    if ('messaging_feedback' in event) return this.#emit('feedback', event, context, errors);
    if ('account_linking' in event) {
      return event.account_linking.status === 'linked'
        ? this.#emit('account_linked', event as AccountLinkedEvent, context, errors)
        : this.#emit('account_unlinked', event as AccountUnlinkedEvent, context, errors);
    }
    return this.#emit('handover', event, context, errors);
  }

  async #emit<K extends BotEventName>(
    name: K,
    event: BotEventMap[K],
    context: BotContext,
    errors: unknown[],
  ): Promise<boolean> {
    const handlers = this.#handlers[name] ?? [];
    for (const handler of handlers) {
      try {
        await handler(event, context);
      } catch (error) {
        if (this.#options.onError) this.#options.onError(error, event);
        else errors.push(error);
      }
    }
    return handlers.length > 0;
  }
}

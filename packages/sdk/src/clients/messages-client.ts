/**
 * @module clients/messages-client
 * The Send API (`POST /me/messages`): text, quick replies, templates, media, sender
 * actions and proactive (tagged) updates.
 */
import type { HttpTransport } from '../transport/http-transport.js';
import type {
  Button,
  GenericElement,
  MediaType,
  OutgoingMessage,
  ProactiveUpdateOptions,
  QuickReply,
  ReceiptTemplate,
  Recipient,
  RecipientInput,
  SendOptions,
  SendRequest,
  SendResponse,
  SenderAction,
} from './message-types.js';

const toRecipient = (recipient: RecipientInput): Recipient =>
  typeof recipient === 'string' ? { id: recipient } : recipient;

/** Sends messages to customers. */
export class MessagesClient {
  readonly #transport: HttpTransport;

  constructor(transport: HttpTransport) {
    this.#transport = transport;
  }

  /**
   * Sends a raw Send API body, for shapes the helpers do not cover.
   * @throws {PlatformApiError} e.g. `isOutsideWindow()` when the 24-hour window is closed.
   */
  send(request: SendRequest): Promise<SendResponse> {
    return this.#transport.post<SendResponse>('/me/messages', request);
  }

  /**
   * Sends any `message` object with the given options.
   * @param recipient a PSID or a recipient object.
   * @param message the message.
   * @param options messaging type, persona, reply-to, metadata.
   */
  sendMessage(recipient: RecipientInput, message: OutgoingMessage, options: SendOptions = {}): Promise<SendResponse> {
    const body: SendRequest = {
      recipient: toRecipient(recipient),
      messaging_type: options.messagingType ?? 'RESPONSE',
      message: options.metadata === undefined ? message : { ...message, metadata: options.metadata },
    };
    if (options.notificationType) body.notification_type = options.notificationType;
    if (options.personaId) body.persona_id = options.personaId;
    if (options.replyTo) body.reply_to = { mid: options.replyTo };
    return this.send(body);
  }

  /**
   * Sends a text message (< 2000 characters).
   * @example
   * await platform.messages.sendText(psid, 'Your card ending 4242 is active.');
   */
  sendText(recipient: RecipientInput, text: string, options?: SendOptions): Promise<SendResponse> {
    return this.sendMessage(recipient, { text }, options);
  }

  /**
   * Sends text with quick-reply chips (≤ 13).
   * @example
   * await platform.messages.sendQuickReplies(psid, 'Which account?', [
   *   { content_type: 'text', title: 'Checking', payload: 'ACC_CHECKING' },
   *   { content_type: 'text', title: 'Savings', payload: 'ACC_SAVINGS' },
   * ]);
   */
  sendQuickReplies(
    recipient: RecipientInput,
    text: string,
    quickReplies: QuickReply[],
    options?: SendOptions,
  ): Promise<SendResponse> {
    return this.sendMessage(recipient, { text, quick_replies: quickReplies }, options);
  }

  /**
   * Sends a button template: text (≤ 640) above 1–3 buttons.
   * @example
   * await platform.messages.sendButtonTemplate(psid, 'Link your account to see balances.', [
   *   { type: 'account_link', url: 'https://bank.example/link' },
   * ]);
   */
  sendButtonTemplate(
    recipient: RecipientInput,
    text: string,
    buttons: Button[],
    options?: SendOptions,
  ): Promise<SendResponse> {
    return this.sendMessage(
      recipient,
      { attachment: { type: 'template', payload: { template_type: 'button', text, buttons } } },
      options,
    );
  }

  /** Sends a generic template (a carousel of ≤ 10 cards). */
  sendGenericTemplate(
    recipient: RecipientInput,
    elements: GenericElement[],
    options: SendOptions & { imageAspectRatio?: 'horizontal' | 'square'; sharable?: boolean } = {},
  ): Promise<SendResponse> {
    const { imageAspectRatio, sharable, ...sendOptions } = options;
    const payload = {
      template_type: 'generic' as const,
      elements,
      ...(imageAspectRatio && { image_aspect_ratio: imageAspectRatio }),
      ...(sharable !== undefined && { sharable }),
    };
    return this.sendMessage(recipient, { attachment: { type: 'template', payload } }, sendOptions);
  }

  /** Sends a receipt template (`summary.total_cost` required, ≤ 100 elements). */
  sendReceiptTemplate(
    recipient: RecipientInput,
    receipt: ReceiptTemplate,
    options?: SendOptions,
  ): Promise<SendResponse> {
    return this.sendMessage(
      recipient,
      { attachment: { type: 'template', payload: { template_type: 'receipt', ...receipt } } },
      options,
    );
  }

  /** Sends media the hub fetches from `url`; `isReusable` asks it to keep an `attachment_id`. */
  sendAttachmentUrl(
    recipient: RecipientInput,
    type: MediaType,
    url: string,
    options: SendOptions & { isReusable?: boolean } = {},
  ): Promise<SendResponse> {
    const { isReusable, ...sendOptions } = options;
    const payload = isReusable === undefined ? { url } : { url, is_reusable: isReusable };
    return this.sendMessage(recipient, { attachment: { type, payload } }, sendOptions);
  }

  /** Sends media uploaded earlier with `AttachmentsClient.upload`. */
  sendAttachmentId(
    recipient: RecipientInput,
    type: MediaType,
    attachmentId: string,
    options?: SendOptions,
  ): Promise<SendResponse> {
    return this.sendMessage(recipient, { attachment: { type, payload: { attachment_id: attachmentId } } }, options);
  }

  /** Shows typing or marks the thread seen. Sent alone: a sender action cannot carry a message. */
  senderAction(recipient: RecipientInput, action: SenderAction): Promise<SendResponse> {
    return this.send({ recipient: toRecipient(recipient), sender_action: action });
  }

  /**
   * Sends a proactive update outside the 24-hour window (`messaging_type: MESSAGE_TAG`).
   * On Confide a `notificationCategory` is checked against the customer's consent.
   * @throws {PlatformApiError} `isConsentError()` when the customer has not allowed the category.
   * @example
   * await platform.messages.sendProactiveUpdate(psid, { text: 'Was this €950 payment you?' }, {
   *   tag: 'ACCOUNT_UPDATE',
   *   notificationCategory: 'fraud_alert',
   * });
   */
  sendProactiveUpdate(
    recipient: RecipientInput,
    message: OutgoingMessage,
    options: ProactiveUpdateOptions,
  ): Promise<SendResponse> {
    const { tag, notificationCategory, notificationType, personaId, replyTo, metadata } = options;
    const body: SendRequest = {
      recipient: toRecipient(recipient),
      messaging_type: 'MESSAGE_TAG',
      tag,
      message: metadata === undefined ? message : { ...message, metadata },
    };
    if (notificationCategory) body.notification_category = notificationCategory;
    if (notificationType) body.notification_type = notificationType;
    if (personaId) body.persona_id = personaId;
    if (replyTo) body.reply_to = { mid: replyTo };
    return this.send(body);
  }
}

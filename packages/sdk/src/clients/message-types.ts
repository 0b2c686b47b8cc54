/**
 * @module clients/message-types
 * Send API request and response shapes (reference §2, §4). The wire shapes are defined once,
 * by the schemas of `@confide/protocol` the hub validates with; the SDK names them as a
 * sender writes them (before parsing) and adds its camelCase per-send options.
 */
import type {
  AccountLinkButton,
  AccountUnlinkButton,
  Button,
  GenericElement,
  MediaType,
  MessageTag as HubMessageTag,
  MessagingType,
  NotificationType,
  OutgoingAttachmentInput,
  OutgoingMessageInput,
  OutgoingQuickReplyInput,
  PhoneNumberButton,
  PostbackButton,
  SendMessageRequestInput,
  SendMessageResponse,
  SendRecipientInput,
  SenderAction,
  TemplatePayloadInput,
  UrlButton,
} from '@confide/protocol';

export type {
  AccountLinkButton,
  AccountUnlinkButton,
  Button,
  GenericElement,
  MediaType,
  MessagingType,
  NotificationType,
  PhoneNumberButton,
  PostbackButton,
  SenderAction,
  UrlButton,
};

/**
 * `tag` of a `MESSAGE_TAG` send. Confide keeps accepting the banking tags Meta retired
 * on 2026-04-27 (fraud alerts are `ACCOUNT_UPDATE`, receipts `POST_PURCHASE_UPDATE`).
 * Open-ended so a hub newer than this SDK can be sent tags the SDK does not list yet.
 */
export type MessageTag = HubMessageTag | (string & {});

/**
 * Who receives a send. A bare string is a PSID. The hub addresses customers by PSID (`id`)
 * only; Messenger's other forms are typed so code written for Messenger compiles, and the
 * hub refuses them (400, `recipient[id]`).
 */
export type Recipient =
  | SendRecipientInput
  | { user_ref: string }
  | { one_time_notif_token: string }
  | { notification_messages_token: string };
/** A recipient, or a bare PSID string. */
export type RecipientInput = string | Recipient;

/** A quick reply chip (≤ 13 per message, title ≤ 20 characters; a `text` chip needs a title and a payload). */
export type QuickReply = OutgoingQuickReplyInput;

/** Receipt template fields (§4.3), without `template_type`. */
export type ReceiptTemplate = Omit<Extract<TemplatePayloadInput, { template_type: 'receipt' }>, 'template_type'>;

/** A template attachment payload. */
export type TemplatePayload = TemplatePayloadInput;

/** `message.attachment`. */
export type OutgoingAttachment = OutgoingAttachmentInput;

/** `message` of a send: exactly one of `text`, `attachment` or `attachments` must be set. */
export type OutgoingMessage = OutgoingMessageInput;

/** The body of `POST /me/messages`. */
export type SendRequest = Omit<SendMessageRequestInput, 'recipient' | 'tag'> & {
  recipient: Recipient;
  tag?: MessageTag;
};

/** What a send answers; a sender action answers `recipient_id` alone. */
export type SendResponse = Partial<SendMessageResponse>;

/** Per-send options of the `send*` helpers. */
export interface SendOptions {
  /** Default `RESPONSE`. */
  messagingType?: MessagingType;
  notificationType?: NotificationType;
  /** Send as a persona (a human agent's identity). */
  personaId?: string;
  /** Quote an earlier message by `mid`. */
  replyTo?: string;
  /** Echoed back in `message_echoes`. */
  metadata?: string;
}

/** Options of a proactive update (`MESSAGE_TAG` outside the 24-hour window). */
export interface ProactiveUpdateOptions extends Omit<SendOptions, 'messagingType'> {
  tag: MessageTag;
  /** Confide: consent category, e.g. `fraud_alert`; refused with CONSENT_REQUIRED if not granted. */
  notificationCategory?: string;
}

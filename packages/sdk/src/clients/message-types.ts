/**
 * @module clients/message-types
 * Send API request and response shapes (reference §2, §4), as the SDK writes them.
 * Field names are the wire's snake_case so payloads read like Meta's docs.
 */

/** `messaging_type` of a send. */
export type MessagingType = 'RESPONSE' | 'UPDATE' | 'MESSAGE_TAG';

/**
 * `tag` of a `MESSAGE_TAG` send. Confide keeps accepting the banking tags Meta retired
 * on 2026-04-27 (fraud alerts are `ACCOUNT_UPDATE`, receipts `POST_PURCHASE_UPDATE`).
 */
export type MessageTag = 'ACCOUNT_UPDATE' | 'POST_PURCHASE_UPDATE' | 'CONFIRMED_EVENT_UPDATE' | 'HUMAN_AGENT' | (string & {});

/** `notification_type` of a send. */
export type NotificationType = 'REGULAR' | 'SILENT_PUSH' | 'NO_PUSH';

/** Who receives a send. A bare string is a PSID. */
export type Recipient = { id: string } | { user_ref: string } | { one_time_notif_token: string } | { notification_messages_token: string };
/** A recipient, or a bare PSID string. */
export type RecipientInput = string | Recipient;

/** A URL button; without `title` it is a `default_action`. */
export interface UrlButton {
  type: 'web_url';
  url: string;
  title: string;
  webview_height_ratio?: 'compact' | 'tall' | 'full';
  messenger_extensions?: boolean;
  fallback_url?: string;
  webview_share_button?: 'hide';
}
/** Tapping sends a `messaging_postbacks` webhook with `payload`. */
export interface PostbackButton {
  type: 'postback';
  title: string;
  payload: string;
}
/** Dials `payload` (E.164). */
export interface PhoneNumberButton {
  type: 'phone_number';
  title: string;
  payload: string;
}
/** Starts account linking at `url` (HTTPS); Messenger renders "Log In". */
export interface AccountLinkButton {
  type: 'account_link';
  url: string;
}
/** Unlinks the account; Messenger renders "Log Out". */
export interface AccountUnlinkButton {
  type: 'account_unlink';
}
/** Any button of a template or persistent menu (§4.4). */
export type Button = UrlButton | PostbackButton | PhoneNumberButton | AccountLinkButton | AccountUnlinkButton;

/** A quick reply chip (≤ 13 per message, title ≤ 20 characters). */
export type QuickReply = { content_type: 'text'; title: string; payload: string; image_url?: string } | { content_type: 'user_phone_number' | 'user_email' };

/** One card of a generic template (≤ 10 per carousel). */
export interface GenericElement {
  title: string;
  subtitle?: string;
  image_url?: string;
  default_action?: Omit<UrlButton, 'title'>;
  buttons?: Button[];
}

/** Receipt template fields (§4.3). */
export interface ReceiptTemplate {
  recipient_name: string;
  merchant_name?: string;
  order_number: string;
  currency: string;
  payment_method: string;
  order_url?: string;
  /** Epoch seconds, as a string. */
  timestamp?: string;
  elements?: { title: string; subtitle?: string; quantity?: number; price: number; currency?: string; image_url?: string }[];
  address?: { street_1: string; street_2?: string; city: string; postal_code: string; state: string; country: string };
  summary: { subtotal?: number; shipping_cost?: number; total_tax?: number; total_cost: number };
  adjustments?: { name: string; amount: number }[];
  sharable?: boolean;
}

/** A template attachment payload. */
export type TemplatePayload =
  | { template_type: 'button'; text: string; buttons: Button[] }
  | { template_type: 'generic'; elements: GenericElement[]; image_aspect_ratio?: 'horizontal' | 'square'; sharable?: boolean }
  | ({ template_type: 'receipt' } & ReceiptTemplate);

/** Media kinds that can be sent or uploaded. */
export type MediaType = 'image' | 'audio' | 'video' | 'file';

/** `message.attachment`. */
export type OutgoingAttachment =
  { type: MediaType; payload: { url: string; is_reusable?: boolean } | { attachment_id: string } } | { type: 'template'; payload: TemplatePayload };

/** `message` of a send: `text` or `attachment` must be set. */
export interface OutgoingMessage {
  text?: string;
  attachment?: OutgoingAttachment;
  quick_replies?: QuickReply[];
  /** Echoed back in `message_echoes` (< 1000 characters). */
  metadata?: string;
}

/** `sender_action` values. */
export type SenderAction = 'typing_on' | 'typing_off' | 'mark_seen';

/** The body of `POST /me/messages`. */
export interface SendRequest {
  recipient: Recipient;
  messaging_type?: MessagingType;
  message?: OutgoingMessage;
  sender_action?: SenderAction;
  tag?: MessageTag;
  /** Confide: the consent category of a proactive update, checked against the customer's grant. */
  notification_category?: string;
  notification_type?: NotificationType;
  persona_id?: string;
  reply_to?: { mid: string };
}

/** What a send answers; `recipient_id` is absent for `user_ref`/token recipients. */
export interface SendResponse {
  recipient_id?: string;
  message_id?: string;
}

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

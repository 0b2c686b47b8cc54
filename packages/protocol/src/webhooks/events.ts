/**
 * @module webhooks/events
 * Schemas for the items of `entry[].messaging[]` (and `entry[].standby[]`), one per
 * Messenger subscription field. Items carry no discriminator: the kind is the one
 * event key present (`message`, `postback`, `delivery`, …), see {@link webhookEventKind}.
 * Times are epoch milliseconds, as on Messenger.
 */
import { z } from 'zod';

/** A page-scoped participant: the customer's PSID or the page id. */
export const ParticipantSchema = z.object({ id: z.string() });
export type Participant = z.infer<typeof ParticipantSchema>;

/**
 * An app id. Messenger sends a number in `message.app_id` of echoes and strings in
 * handover events; both are accepted.
 */
export const AppIdSchema = z.union([z.string(), z.number()]);
export type AppId = z.infer<typeof AppIdSchema>;

const base = { sender: ParticipantSchema, recipient: ParticipantSchema, timestamp: z.number() };

/**
 * A media or share attachment on an incoming message. `type` is open-ended on the wire
 * (`image`, `audio`, `video`, `file`, `sticker`, `fallback`, `location`, `reel`, …);
 * `payload` may be missing on `fallback` shares.
 */
export const IncomingAttachmentSchema = z.object({
  type: z.string(),
  payload: z
    .looseObject({
      url: z.string().optional(),
      sticker_id: z.number().optional(),
      title: z.string().optional(),
      coordinates: z.object({ lat: z.number(), long: z.number() }).optional(),
    })
    .nullable()
    .optional(),
  title: z.string().optional(),
  url: z.string().optional(),
});
export type IncomingAttachment = z.infer<typeof IncomingAttachmentSchema>;

/** `messages`: something the customer sent. */
export const IncomingMessageSchema = z.object({
  mid: z.string(),
  is_echo: z.literal(false).optional(),
  text: z.string().optional(),
  quick_reply: z.object({ payload: z.string() }).optional(),
  reply_to: z.object({ mid: z.string() }).optional(),
  attachments: z.array(IncomingAttachmentSchema).optional(),
  /** Confide extension: `assistant` when the customer's own assistant sent this for them (MCP, voice); absent in the chat. */
  surface: z.literal('assistant').optional(),
});
export type IncomingMessage = z.infer<typeof IncomingMessageSchema>;
/** A `messaging[]` item carrying an {@link IncomingMessage}. */
export const IncomingMessageEventSchema = z.object({ ...base, message: IncomingMessageSchema });
export type IncomingMessageEvent = z.infer<typeof IncomingMessageEventSchema>;

/** `message_echoes`: a copy of what the page sent; sender is the page, recipient the PSID. */
export const EchoMessageSchema = z.object({
  mid: z.string(),
  is_echo: z.literal(true),
  app_id: AppIdSchema.optional(),
  metadata: z.string().optional(),
  text: z.string().optional(),
  attachments: z.array(IncomingAttachmentSchema).optional(),
  quick_replies: z.array(z.looseObject({ content_type: z.string() })).optional(),
});
export type EchoMessage = z.infer<typeof EchoMessageSchema>;
/** A `messaging[]` item carrying an {@link EchoMessage}. */
export const EchoEventSchema = z.object({ ...base, message: EchoMessageSchema });
export type EchoEvent = z.infer<typeof EchoEventSchema>;

/** Where a conversation came from (m.me link, ad, plugin…), on postbacks and referrals. */
export const ReferralSchema = z.looseObject({
  ref: z.string().optional(),
  source: z.string().optional(),
  type: z.string().optional(),
  ad_id: z.string().optional(),
});
export type Referral = z.infer<typeof ReferralSchema>;

/** `messaging_postbacks`: a postback button, Get Started or persistent-menu tap. */
export const PostbackEventSchema = z.object({
  ...base,
  postback: z.object({
    title: z.string(),
    payload: z.string(),
    mid: z.string().optional(),
    referral: ReferralSchema.optional(),
    /** Confide extension: `assistant` when the customer's own assistant answered for them. */
    surface: z.literal('assistant').optional(),
  }),
});
export type PostbackEvent = z.infer<typeof PostbackEventSchema>;

/** `message_deliveries`: every message sent at or before `watermark` was delivered. */
export const DeliveryEventSchema = z.object({
  ...base,
  delivery: z.object({ mids: z.array(z.string()).optional(), watermark: z.number(), seq: z.number().optional() }),
});
export type DeliveryEvent = z.infer<typeof DeliveryEventSchema>;

/** `message_reads`: every message sent at or before `watermark` was read. */
export const ReadEventSchema = z.object({
  ...base,
  read: z.object({ watermark: z.number(), seq: z.number().optional() }),
});
export type ReadEvent = z.infer<typeof ReadEventSchema>;

/**
 * Confide extension: the categories of proactive update the customer allowed while
 * linking, and when that grant lapses (epoch milliseconds).
 */
export const LinkingConsentSchema = z.object({
  categories: z.array(z.string()),
  expires_at: z.number(),
});
export type LinkingConsent = z.infer<typeof LinkingConsentSchema>;

/**
 * `messaging_account_linking`. `authorization_code` (and Confide's `consent`) are only
 * present when `status` is `linked`.
 */
export const AccountLinkingEventSchema = z.object({
  ...base,
  account_linking: z.object({
    status: z.enum(['linked', 'unlinked']),
    authorization_code: z.string().optional(),
    consent: LinkingConsentSchema.optional(),
  }),
});
export type AccountLinkingEvent = z.infer<typeof AccountLinkingEventSchema>;

/**
 * `messaging_optins`: plugin opt-ins (`ref`, `user_ref`), one-time notification and
 * `notification_messages` opt-ins. A plugin opt-in may identify the sender only by
 * `user_ref`, so `sender.id` is optional here.
 */
export const OptinEventSchema = z.object({
  sender: z.object({ id: z.string().optional(), user_ref: z.string().optional() }),
  recipient: ParticipantSchema,
  timestamp: z.number(),
  optin: z.looseObject({
    type: z.string().optional(),
    ref: z.string().optional(),
    user_ref: z.string().optional(),
    payload: z.string().optional(),
    title: z.string().optional(),
    one_time_notif_token: z.string().optional(),
    notification_messages_token: z.string().optional(),
    notification_messages_frequency: z.string().optional(),
    notification_messages_timezone: z.string().optional(),
    notification_messages_status: z.string().optional(),
    token_expiry_timestamp: z.union([z.number(), z.string()]).optional(),
    user_token_status: z.string().optional(),
  }),
});
export type OptinEvent = z.infer<typeof OptinEventSchema>;

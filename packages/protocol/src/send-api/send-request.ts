/**
 * @module send-api/send-request
 * `POST /{version}/me/messages`: the request a business sends and what it gets back
 * (reference §2). Unknown parameters are ignored, as Graph does.
 */
import { z } from 'zod';
import { graphBoolean } from './graph-scalars.js';
import { MAX_QUICK_REPLIES, OutgoingQuickReplySchema } from './quick-replies.js';
import { TemplatePayloadSchema } from './templates.js';
import { HttpUrlSchema } from './text.js';

/** Largest accepted attachment, in bytes (Messenger's 25 MB). */
export const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;

export const MediaTypeSchema = z.enum(['image', 'audio', 'video', 'file']);
export type MediaType = z.infer<typeof MediaTypeSchema>;

/**
 * A media attachment: by `url`, by an uploaded `attachment_id`, or (multipart sends)
 * with the file in the `filedata` part and an empty payload.
 */
export const MediaAttachmentSchema = z.object({
  type: MediaTypeSchema,
  payload: z
    .object({
      url: HttpUrlSchema.optional(),
      attachment_id: z
        .union([z.string().regex(/^\d{1,32}$/), z.number().int().nonnegative()])
        .transform(String)
        .optional(),
      is_reusable: graphBoolean().optional(),
    })
    .refine((p) => !(p.url !== undefined && p.attachment_id !== undefined), {
      message: 'set either url or attachment_id, not both',
    })
    .default({}),
});
export type MediaAttachment = z.infer<typeof MediaAttachmentSchema>;

export const TemplateAttachmentSchema = z.object({ type: z.literal('template'), payload: TemplatePayloadSchema });
export type TemplateAttachment = z.infer<typeof TemplateAttachmentSchema>;

export const OutgoingAttachmentSchema = z.union([TemplateAttachmentSchema, MediaAttachmentSchema]);
export type OutgoingAttachment = z.infer<typeof OutgoingAttachmentSchema>;
/** An attachment as a sender writes it (before ids are normalised and defaults applied). */
export type OutgoingAttachmentInput = z.input<typeof OutgoingAttachmentSchema>;

/** `message`: exactly one of `text`, `attachment`, `attachments` (images only, ≤ 30). */
export const OutgoingMessageSchema = z
  .object({
    text: z
      .string()
      .refine((s) => s.length > 0, 'must not be empty')
      .refine((s) => [...s].length < 2000, 'must be fewer than 2000 characters')
      .optional(),
    attachment: OutgoingAttachmentSchema.optional(),
    attachments: z
      .array(MediaAttachmentSchema.refine((a) => a.type === 'image', 'only images can be sent together'))
      .min(1)
      .max(30)
      .optional(),
    quick_replies: z.array(OutgoingQuickReplySchema).max(MAX_QUICK_REPLIES).optional(),
    metadata: z
      .string()
      .refine((s) => [...s].length < 1000, 'must be fewer than 1000 characters')
      .optional(),
  })
  .refine((m) => [m.text, m.attachment, m.attachments].filter((x) => x !== undefined).length === 1, {
    message: 'must contain exactly one of text, attachment or attachments',
  });
export type OutgoingMessage = z.infer<typeof OutgoingMessageSchema>;
/** A `message` as a sender writes it. */
export type OutgoingMessageInput = z.input<typeof OutgoingMessageSchema>;

/** `UTILITY` sends a utility template (`message.template`, send-api/message-templates.ts). */
export const MessagingTypeSchema = z.enum(['RESPONSE', 'UPDATE', 'MESSAGE_TAG', 'UTILITY']);
export type MessagingType = z.infer<typeof MessagingTypeSchema>;

/**
 * Message tags. Confide keeps the three banking tags Meta retired on 2026-04-27, behind
 * the customer's consent; `HUMAN_AGENT` allows 7 days from a persona.
 */
export const MessageTagSchema = z.enum([
  'ACCOUNT_UPDATE',
  'POST_PURCHASE_UPDATE',
  'CONFIRMED_EVENT_UPDATE',
  'HUMAN_AGENT',
]);
export type MessageTag = z.infer<typeof MessageTagSchema>;
/** Tags that may reach the customer outside the 24-hour window, only with consent. */
export const CONSENT_TAGS: readonly MessageTag[] = ['ACCOUNT_UPDATE', 'POST_PURCHASE_UPDATE', 'CONFIRMED_EVENT_UPDATE'];

export const NotificationTypeSchema = z.enum(['REGULAR', 'SILENT_PUSH', 'NO_PUSH']);
export type NotificationType = z.infer<typeof NotificationTypeSchema>;

export const SenderActionSchema = z.enum(['typing_on', 'typing_off', 'mark_seen']);
export type SenderAction = z.infer<typeof SenderActionSchema>;

/** Confide addresses customers by PSID only (`user_ref`, phone numbers and tokens are not supported). */
export const SendRecipientSchema = z.object({
  id: z
    .union([z.string().regex(/^\d{1,32}$/, 'must be a page-scoped id'), z.number().int().positive()])
    .transform(String),
});
/** A recipient as a sender writes it: the PSID as a string or a number. */
export type SendRecipientInput = z.input<typeof SendRecipientSchema>;

export const SendMessageRequestSchema = z.object({
  recipient: SendRecipientSchema,
  messaging_type: MessagingTypeSchema.optional(),
  message: OutgoingMessageSchema.optional(),
  sender_action: SenderActionSchema.optional(),
  tag: MessageTagSchema.optional(),
  notification_type: NotificationTypeSchema.optional(),
  persona_id: z
    .union([z.string().regex(/^\d{1,32}$/), z.number().int().positive()])
    .transform(String)
    .optional(),
  reply_to: z.object({ mid: z.string().min(1).max(128) }).optional(),
  /** Confide: the consent category of a proactive update (checked against the customer's grant). */
  notification_category: z.string().min(1).max(64).optional(),
});
export type SendMessageRequest = z.infer<typeof SendMessageRequestSchema>;
/** The body of a send as a sender writes it (the SDK's `SendRequest` builds on it). */
export type SendMessageRequestInput = z.input<typeof SendMessageRequestSchema>;

/** A stored message's answer; `attachment_id` only when a URL attachment was sent with `is_reusable`. */
export const SendMessageResponseSchema = z.object({
  recipient_id: z.string(),
  message_id: z.string(),
  attachment_id: z.string().optional(),
});
export type SendMessageResponse = z.infer<typeof SendMessageResponseSchema>;

/** A sender action's answer. */
export const SenderActionResponseSchema = z.object({ recipient_id: z.string() });
export type SenderActionResponse = z.infer<typeof SenderActionResponseSchema>;

/** `POST /me/message_attachments`: the JSON or multipart `message` field. */
export const AttachmentUploadRequestSchema = z.object({
  message: z.object({
    attachment: z.object({
      type: MediaTypeSchema,
      payload: z.object({ url: HttpUrlSchema.optional(), is_reusable: graphBoolean().optional() }).default({}),
    }),
  }),
});
export type AttachmentUploadRequest = z.infer<typeof AttachmentUploadRequestSchema>;
export const AttachmentUploadResponseSchema = z.object({ attachment_id: z.string() });
export type AttachmentUploadResponse = z.infer<typeof AttachmentUploadResponseSchema>;

import { z } from 'zod';
import { DirectionSchema, MessageBodySchema } from './message-body.js';

/** Customer API (`/api`) request and response shapes, shared by the hub and the web app. */

export const UsernameSchema = z
  .string()
  .min(3)
  .max(32)
  .regex(/^[a-zA-Z0-9_.-]+$/, 'letters, digits, dot, dash and underscore only');
export const PasswordSchema = z.string().min(8).max(256);

export const CredentialsBodySchema = z.object({ username: UsernameSchema, password: PasswordSchema }).strict();
export type CredentialsBody = z.infer<typeof CredentialsBodySchema>;

export const ChangePasswordBodySchema = z
  .object({ current_password: z.string().min(1).max(256), new_password: PasswordSchema })
  .strict();
export type ChangePasswordBody = z.infer<typeof ChangePasswordBodySchema>;

export const CustomerSchema = z.object({ id: z.string(), username: z.string(), created_at: z.number() });
export type Customer = z.infer<typeof CustomerSchema>;

export const PageCategorySchema = z.enum(['bank', 'merchant']);
export type PageCategory = z.infer<typeof PageCategorySchema>;

export const PageSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  category: PageCategorySchema,
  description: z.string(),
  privacy_policy_url: z.string().nullable(),
  /** The page's picture on the hub (`/api/page-pictures/{id}?v=…`), when it has one. */
  picture_url: z.string().optional(),
});
export type PageSummary = z.infer<typeof PageSummarySchema>;

/** The persona (human agent) a page message was sent under, as the customer and the page's agents see it. */
export const MessagePersonaSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Null when the persona has no picture. */
  profile_picture_url: z.string().nullable().optional(),
});
export type MessagePersona = z.infer<typeof MessagePersonaSchema>;

/** Which of a message's postback buttons the customer used, and when. */
export const AnsweredPostbackSchema = z.object({ title: z.string(), payload: z.string(), answered_at: z.number() });
export type AnsweredPostback = z.infer<typeof AnsweredPostbackSchema>;

export const ChatMessageSchema = z.object({
  mid: z.string(),
  conversation_id: z.string(),
  direction: DirectionSchema,
  created_at: z.number(),
  body: MessageBodySchema,
  /** Set on business messages sent under a persona (human agent). */
  persona: MessagePersonaSchema.nullable().optional(),
  /** Message tag for proactive updates (e.g. ACCOUNT_UPDATE). */
  tag: z.string().nullable().optional(),
  /** The consent category a proactive update was sent under (e.g. `fraud_alerts`). */
  notification_category: z.string().nullable().optional(),
  /**
   * Set on a proactive update asking a question with postback buttons: true until one is
   * used or the business closes the question (false with no `answered_postback`).
   */
  awaits_answer: z.boolean().optional(),
  /** The postback button of this message the customer used first, if any. */
  answered_postback: AnsweredPostbackSchema.nullable().optional(),
  /** A line the hub wrote about the conversation ("Ada joined"), shown as a notice, not a bubble. */
  system: z.boolean().optional(),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

export const ConversationSchema = z.object({
  id: z.string(),
  page: PageSummarySchema,
  created_at: z.number(),
  last_message: ChatMessageSchema.nullable(),
  unread_count: z.number().int(),
  /** Highest timestamp the business has received / read of the customer's messages. */
  page_delivered_watermark: z.number(),
  page_read_watermark: z.number(),
  customer_read_watermark: z.number(),
  /** How many of the business's questions (proactive updates with postback buttons) still await an answer. */
  awaiting_answers: z.number().int().optional(),
});
export type Conversation = z.infer<typeof ConversationSchema>;

export const StartConversationBodySchema = z.object({ page_id: z.string().min(1).max(64) }).strict();

export const SendChatMessageBodySchema = z.union([
  z.object({ text: z.string().min(1).max(2000) }).strict(),
  z.object({ quick_reply: z.object({ payload: z.string().max(1000), title: z.string().max(100) }).strict() }).strict(),
  z
    .object({
      postback: z
        .object({
          payload: z.string().max(1000),
          title: z.string().max(100),
          /** The message whose button was tapped; omitted for menu and Get Started postbacks. */
          message_mid: z.string().min(1).max(64).optional(),
        })
        .strict(),
    })
    .strict(),
]);
export type SendChatMessageBody = z.infer<typeof SendChatMessageBodySchema>;

export const MessagePageSchema = z.object({
  data: z.array(ChatMessageSchema),
  /** Pass as `before` to fetch older messages; null when there are none. */
  next_cursor: z.string().nullable(),
});
export type MessagePage = z.infer<typeof MessagePageSchema>;

/** The customer API's error body: a stable key, a human message, the HTTP status. */
export const ApiErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    status: z.number(),
    request_id: z.string(),
    detail: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBodySchema>;

/**
 * What a customer may send from the composer, by MIME type: photos and PDF documents (a
 * receipt, a screenshot, a statement). The hub recognises the type from the file's bytes,
 * whatever the browser declares.
 */
export const CUSTOMER_UPLOAD_TYPES = {
  'image/jpeg': 'image',
  'image/png': 'image',
  'image/gif': 'image',
  'image/webp': 'image',
  'application/pdf': 'file',
} as const;
export type CustomerUploadType = keyof typeof CUSTOMER_UPLOAD_TYPES;

/** The largest file a customer may send (10 MiB). */
export const MAX_CUSTOMER_UPLOAD_BYTES = 10 * 1024 * 1024;

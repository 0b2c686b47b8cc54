import { z } from 'zod';

/**
 * What a message says, in the Messenger shapes. Businesses send `text`, `attachment(s)`
 * and `quick_replies`; customers send `text`, a `quick_reply` answer or a `postback`.
 * Template payloads are validated on the Platform API; here they are opaque objects.
 */
export const QuickReplySchema = z.object({
  content_type: z.enum(['text', 'user_phone_number', 'user_email']),
  title: z.string().max(20).optional(),
  payload: z.string().max(1000).optional(),
  image_url: z.string().optional(),
});
export type QuickReply = z.infer<typeof QuickReplySchema>;

export const AttachmentSchema = z.object({
  type: z.enum(['image', 'audio', 'video', 'file', 'template']),
  payload: z.record(z.string(), z.unknown()),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

export const MessageBodySchema = z.object({
  text: z.string().optional(),
  attachment: AttachmentSchema.optional(),
  attachments: z.array(AttachmentSchema).optional(),
  quick_replies: z.array(QuickReplySchema).optional(),
  quick_reply: z.object({ payload: z.string() }).optional(),
  postback: z.object({ title: z.string(), payload: z.string() }).optional(),
  reply_to: z.object({ mid: z.string() }).optional(),
  metadata: z.string().optional(),
  /** A customer message sent for them by their own assistant (features/assistant), not typed in the chat. */
  surface: z.literal('assistant').optional(),
});
export type MessageBody = z.infer<typeof MessageBodySchema>;

/** Who wrote a message: the customer, or the business (its bot or an agent). */
export const DirectionSchema = z.enum(['in', 'out']);
export type Direction = z.infer<typeof DirectionSchema>;

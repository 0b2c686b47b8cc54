/**
 * @module send-api/quick-replies
 * Quick replies (≤ 13 per message). A `text` chip needs a title and a payload; titles
 * longer than 20 characters are truncated, as Messenger does.
 */
import { z } from 'zod';
import { charCount } from './text.js';

export const MAX_QUICK_REPLIES = 13;
export const QUICK_REPLY_TITLE_MAX = 20;

export const OutgoingQuickReplySchema = z
  .object({
    content_type: z.enum(['text', 'user_phone_number', 'user_email']),
    title: z.string().max(1000).optional(),
    // UTF-16 length, the unit the stored message body is checked in.
    payload: z.string().max(1000).optional(),
    image_url: z.string().max(2048).optional(),
  })
  .superRefine((qr, ctx) => {
    if (qr.content_type !== 'text') return;
    if (qr.title === undefined || charCount(qr.title.trim()) === 0)
      ctx.addIssue({ code: 'custom', path: ['title'], message: 'is required for a text quick reply' });
    if (qr.payload === undefined || qr.payload.length === 0)
      ctx.addIssue({ code: 'custom', path: ['payload'], message: 'is required for a text quick reply' });
  })
  .transform((qr) => (qr.title === undefined ? qr : { ...qr, title: truncateTitle(qr.title) }));
export type OutgoingQuickReply = z.infer<typeof OutgoingQuickReplySchema>;
/** A quick reply as a sender writes it (titles not yet truncated). */
export type OutgoingQuickReplyInput = z.input<typeof OutgoingQuickReplySchema>;

/** Cuts a title to 20 UTF-16 units without splitting a character, as Messenger truncates it. */
function truncateTitle(title: string): string {
  let out = '';
  for (const ch of title) {
    if (out.length + ch.length > QUICK_REPLY_TITLE_MAX) break;
    out += ch;
  }
  return out;
}

/**
 * @module send-api/transcripts
 * Conversation transcripts for the business (`GET /{page}/transcripts?recipient=PSID`): the
 * hub signs what the customer saw in the conversation as a compact JWS (ES256, `typ`
 * `confide-transcript+jwt`, keys at `/.well-known/jwks.json`), so a bank can file it as
 * evidence and anyone holding the hub's public keys can check it was not altered.
 */
import { z } from 'zod';
import { MessageBodySchema } from '../chat/message-body.js';

/** The JWS header `typ` of a transcript. */
export const TRANSCRIPT_JWT_TYPE = 'confide-transcript+jwt';
/** Most messages in one transcript; narrow `since`/`until` for more. */
export const TRANSCRIPT_MAX_MESSAGES = 5000;

export const TranscriptRequestSchema = z.object({
  recipient: z.object({ id: z.string().min(1).max(64) }),
  /** Unix seconds, inclusive. */
  since: z.coerce.number().int().min(0).optional(),
  /** Unix seconds, exclusive. */
  until: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(TRANSCRIPT_MAX_MESSAGES).default(1000),
});
export type TranscriptRequest = z.infer<typeof TranscriptRequestSchema>;

export const TranscriptMessageSchema = z.object({
  mid: z.string(),
  /** Milliseconds since the epoch. */
  created_at: z.number(),
  /** `customer`, the `page` (an app, an agent under a persona) or the `hub` (system lines, consent prompts). */
  from: z.enum(['customer', 'page', 'hub']),
  app_id: z.string().optional(),
  persona: z.string().optional(),
  tag: z.string().optional(),
  notification_category: z.string().optional(),
  /** Index of the button the customer answered a question with. */
  answered_button: z.number().optional(),
  /** What the customer saw; absent when the content was erased. */
  body: MessageBodySchema.optional(),
  erased: z.literal(true).optional(),
});
export type TranscriptMessage = z.infer<typeof TranscriptMessageSchema>;

/** The signed claims of a transcript. */
export const TranscriptClaimsSchema = z.object({
  iss: z.string(),
  sub: z.string(),
  iat: z.number(),
  jti: z.string(),
  page: z.object({ id: z.string(), name: z.string() }),
  conversation: z.object({ started_at: z.number(), since: z.number().nullable(), until: z.number().nullable() }),
  /** The conversation's hand-over to the page inbox, when it had one. */
  inbox: z
    .object({
      status: z.string(),
      team: z.string().nullable(),
      agent: z.string().nullable(),
      reason: z.string().nullable(),
      case_ref: z.string().nullable(),
      queued_at: z.number(),
      assigned_at: z.number().nullable(),
      resolved_at: z.number().nullable(),
    })
    .nullable(),
  messages: z.array(TranscriptMessageSchema),
  /** More messages matched than `limit`: the oldest were left out. */
  truncated: z.boolean(),
});
export type TranscriptClaims = z.infer<typeof TranscriptClaimsSchema>;

/** `GET /{page}/transcripts`: the signed transcript and what it holds. */
export interface TranscriptResponse {
  transcript: string;
  message_count: number;
  truncated: boolean;
}

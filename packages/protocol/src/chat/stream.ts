import { z } from 'zod';
import { ChatMessageSchema } from './customer-api.js';

/**
 * Frames on the customer's WebSocket (`/api/stream`). Persisted events carry a
 * per-customer monotonic `cursor`; reconnect with `?cursor=N` to receive everything after N.
 * Typing indicators and profile changes are ephemeral and carry no cursor.
 */
export const ServerFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message'), cursor: z.number(), message: ChatMessageSchema }),
  z.object({
    type: z.literal('receipt'),
    cursor: z.number(),
    conversation_id: z.string(),
    /** `page`: the business received/read the customer's messages; `customer`: another tab read. */
    side: z.enum(['page', 'customer']),
    kind: z.enum(['delivery', 'read']),
    watermark: z.number(),
  }),
  z.object({ type: z.literal('conversation'), cursor: z.number(), conversation_id: z.string(), change: z.string() }),
  z.object({ type: z.literal('typing'), conversation_id: z.string(), on: z.boolean() }),
  /** A page changed its Messenger Profile (ephemeral): refetch it for conversations with that page. */
  z.object({ type: z.literal('profile'), page_id: z.string() }),
  /** Sent once the replay after a reconnect is complete. */
  z.object({ type: z.literal('ready'), cursor: z.number() }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
]);
export type ServerFrame = z.infer<typeof ServerFrameSchema>;

/**
 * Close codes of the hub's WebSockets (`/api/stream`, `/inbox/api/stream`), in the 4000–4999
 * range that RFC 6455 leaves to applications.
 */
export const StreamCloseCode = {
  /** The client reads too slowly: reconnect and resume from the last cursor. */
  SLOW_CONSUMER: 4008,
  /** The socket's session ended (logout, password change, expiry, account deleted): sign in again, do not reconnect. */
  SESSION_ENDED: 4401,
} as const;

export const ClientFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('typing'), conversation_id: z.string().max(64), on: z.boolean() }),
  z.object({ type: z.literal('ping') }),
]);
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

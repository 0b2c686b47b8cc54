/** The bus events as they arrive from other processes (nats-bus.ts): checked like any other input. */
import { ServerFrameSchema } from '@confide/protocol';
import { z } from 'zod';

export const BusEventSchema = z.discriminatedUnion('name', [
  z.object({ name: z.literal('customer.frame'), customerId: z.string(), frame: ServerFrameSchema }),
  z.object({ name: z.literal('webhook.enqueued'), appId: z.string() }),
  z.object({ name: z.literal('message.appended'), pageId: z.string(), conversationId: z.string(), mid: z.string() }),
  z.object({ name: z.literal('conversation.handed_over'), pageId: z.string(), conversationId: z.string() }),
  z.object({
    name: z.literal('inbox.changed'),
    pageId: z.string(),
    conversationId: z.string(),
    change: z.string(),
    mid: z.string().optional(),
  }),
  z.object({ name: z.literal('page.profile'), pageId: z.string() }),
  z.object({
    name: z.literal('session.revoked'),
    kind: z.enum(['customer', 'agent']),
    ownerId: z.string().min(1).max(64),
  }),
]);

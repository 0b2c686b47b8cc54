/** Customer API: the business directory and the customer's conversations. */
import {
  ChatMessageSchema,
  ConversationSchema,
  MessagePageSchema,
  PageProfileSchema,
  PageSummarySchema,
  SearchQuerySchema,
  SearchResultSchema,
  SendChatMessageBodySchema,
  StartConversationBodySchema,
} from '@confide/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { customerOf } from '../../http/customer-auth.js';
import type { Pages } from '../pages/pages.js';
import type { Conversations } from './conversations.js';

const IdParamsSchema = z.object({ id: z.string().min(1).max(64) });
type Auth = (request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => Promise<void>;

export function conversationRoutes(pages: Pages, conversations: Conversations, auth: Auth) {
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.addHook('preHandler', auth);

    r.get(
      '/api/pages',
      {
        schema: {
          tags: ['directory'],
          querystring: z.object({
            q: z.string().max(100).optional(),
            limit: z.coerce.number().int().min(1).max(100).default(50),
          }),
          response: { 200: z.object({ data: z.array(PageSummarySchema) }) },
        },
      },
      async (request) => ({ data: await pages.searchPages(request.query.q, request.query.limit) }),
    );

    r.post(
      '/api/conversations',
      { schema: { tags: ['conversations'], body: StartConversationBodySchema, response: { 200: ConversationSchema } } },
      async (request) => conversations.open(customerOf(request).id, request.body.page_id),
    );

    r.get(
      '/api/conversations',
      { schema: { tags: ['conversations'], response: { 200: z.object({ data: z.array(ConversationSchema) }) } } },
      async (request) => ({
        data: await conversations.list(customerOf(request).id),
      }),
    );

    r.get(
      '/api/conversations/:id',
      { schema: { tags: ['conversations'], params: IdParamsSchema, response: { 200: ConversationSchema } } },
      async (request) => conversations.get(customerOf(request).id, request.params.id),
    );

    r.get(
      '/api/search',
      { schema: { tags: ['conversations'], querystring: SearchQuerySchema, response: { 200: SearchResultSchema } } },
      async (request) => conversations.search(customerOf(request).id, request.query),
    );

    r.get(
      '/api/conversations/:id/messages',
      {
        schema: {
          tags: ['conversations'],
          params: IdParamsSchema,
          querystring: z.object({
            before: z.string().max(24).optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
          }),
          response: { 200: MessagePageSchema },
        },
      },
      async (request) =>
        conversations.messages(customerOf(request).id, request.params.id, request.query.before, request.query.limit),
    );

    r.post(
      '/api/conversations/:id/messages',
      {
        schema: {
          tags: ['conversations'],
          params: IdParamsSchema,
          body: SendChatMessageBodySchema,
          response: { 201: ChatMessageSchema },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await conversations.send(customerOf(request).id, request.params.id, request.body)),
    );

    r.get(
      '/api/conversations/:id/profile',
      {
        schema: {
          tags: ['conversations'],
          params: IdParamsSchema,
          querystring: z.object({
            locale: z
              .string()
              .regex(/^[a-z]{2}(_[A-Z]{2})?$/)
              .optional(),
          }),
          response: { 200: PageProfileSchema },
        },
      },
      async (request) => conversations.profile(customerOf(request), request.params.id, request.query.locale),
    );

    r.post(
      '/api/conversations/:id/read',
      {
        schema: {
          tags: ['conversations'],
          params: IdParamsSchema,
          response: { 200: z.object({ watermark: z.number() }) },
        },
      },
      async (request) => conversations.markRead(customerOf(request).id, request.params.id),
    );
  };
}

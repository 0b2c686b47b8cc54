/** The customer API's part of the inbox: `GET /api/conversations/:id/agent` (customer session). */
import { CustomerHandoverSchema } from '@confide/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { HubContext } from '../../context.js';
import { customerOf } from '../../http/customer-auth.js';
import { customerHandover } from './customer-handover.js';

type Auth = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export function inboxCustomerRoutes(ctx: HubContext, auth: Auth) {
  return async (app: FastifyInstance): Promise<void> => {
    app.withTypeProvider<ZodTypeProvider>().get(
      '/api/conversations/:id/agent',
      {
        schema: {
          tags: ['conversations'],
          params: z.object({ id: z.string().min(1).max(64) }),
          response: { 200: CustomerHandoverSchema },
        },
        preHandler: auth,
      },
      async (request) => customerHandover(ctx, customerOf(request).id, request.params.id),
    );
  };
}

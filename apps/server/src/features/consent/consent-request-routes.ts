/**
 * Consent requests on both surfaces: the page's `POST /me/consent_requests` (Graph) and the
 * customer's `GET /api/consent-requests/:id` and `POST /api/consent-requests/:id/answer`.
 */
import { PlatformError } from '@confide/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { customerOf } from '../../http/customer-auth.js';
import { PAGE_BASES, parseParams, type GraphRoutes } from '../../http/graph-request.js';
import type { ConsentRequests } from './consent-requests.js';

const ConsentRequestParamsSchema = z.object({
  recipient: z.object({ id: z.string().min(1).max(64) }),
  categories: z.array(z.string().min(1).max(40)).min(1).max(6),
});

export function consentRequestGraphRoutes(requests: ConsentRequests): GraphRoutes {
  return (router) => {
    for (const base of PAGE_BASES) {
      router.route('POST', `${base}/consent_requests`, async (call) => {
        const { recipient, categories } = parseParams(ConsentRequestParamsSchema, call.params);
        return requests.request(call.principal, recipient.id, categories);
      });
    }
  };
}

type Auth = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
const IdParams = z.object({ id: z.string().regex(/^cr[\w-]{1,40}$/) });
const ViewSchema = z.object({
  id: z.string(),
  page: z.object({ id: z.string(), name: z.string() }),
  categories: z.array(z.object({ category: z.string(), purpose: z.string() })),
  status: z.enum(['open', 'allowed', 'declined']),
});

export function consentRequestCustomerRoutes(requests: ConsentRequests, auth: Auth) {
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.get(
      '/api/consent-requests/:id',
      { preHandler: auth, schema: { tags: ['privacy'], params: IdParams, response: { 200: ViewSchema } } },
      async (request) => requests.view(customerOf(request).id, request.params.id),
    );
    r.post(
      '/api/consent-requests/:id/answer',
      {
        preHandler: auth,
        schema: {
          tags: ['privacy'],
          params: IdParams,
          body: z.object({ allow: z.boolean(), categories: z.array(z.string().max(40)).max(6).optional() }).strict(),
          response: { 200: ViewSchema },
        },
      },
      async (request) => {
        if (request.body.allow && request.body.categories?.length === 0)
          throw new PlatformError('BAD_REQUEST', {
            message: 'Choose at least one kind of update to allow, or answer Not now.',
          });
        return requests.answer(customerOf(request).id, request.params.id, request.body);
      },
    );
  };
}

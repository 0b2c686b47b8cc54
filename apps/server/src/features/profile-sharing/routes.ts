/** Customer API: `GET|PUT /api/profile`, `GET /api/privacy/profile-sharing`, `PUT /api/privacy/businesses/:pageId/profile-sharing`. */
import {
  CustomerProfileSchema,
  ProfileSharingListSchema,
  ProfileSharingSchema,
  SetProfileSharingBodySchema,
  UpdateCustomerProfileBodySchema,
} from '@confide/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { customerOf } from '../../http/customer-auth.js';
import type { CustomerProfiles } from './profiles.js';

type Auth = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
const PageParamsSchema = z.object({ pageId: z.string().min(1).max(64) });

export function profileSharingRoutes(profiles: CustomerProfiles, auth: Auth) {
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.addHook('preHandler', auth);
    r.get('/api/profile', { schema: { tags: ['account'], response: { 200: CustomerProfileSchema } } }, async (request) => profiles.get(customerOf(request).id));
    r.put('/api/profile', { schema: { tags: ['account'], body: UpdateCustomerProfileBodySchema, response: { 200: CustomerProfileSchema } } }, async (request) =>
      profiles.update(customerOf(request).id, request.body),
    );
    r.get('/api/privacy/profile-sharing', { schema: { tags: ['privacy'], response: { 200: ProfileSharingListSchema } } }, async (request) => ({
      data: await profiles.sharing(customerOf(request).id),
    }));
    r.put(
      '/api/privacy/businesses/:pageId/profile-sharing',
      { schema: { tags: ['privacy'], params: PageParamsSchema, body: SetProfileSharingBodySchema, response: { 200: ProfileSharingSchema } } },
      async (request) => profiles.share(customerOf(request).id, request.params.pageId, request.body.fields),
    );
  };
}

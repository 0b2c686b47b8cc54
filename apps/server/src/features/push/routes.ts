/**
 * Customer API for Web Push: the hub's VAPID public key and this customer's devices and
 * push choices (`GET /api/push`), adding this device (`PUT /api/push/subscriptions`),
 * removing a device (`DELETE /api/push/subscriptions/:id`), and keeping a business's
 * granted category off push or on it again (`PUT /api/push/muted`).
 */
import { PlatformError } from '@confide/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { customerOf } from '../../http/customer-auth.js';
import { PushMuteBodySchema, PushSubscriptionBodySchema, SubscriptionIdParamsSchema } from './schemas.js';
import type { PushSubscriptions } from './subscriptions.js';
import type { VapidKeys } from './vapid.js';

type Auth = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export function pushRoutes(subscriptions: PushSubscriptions, vapid: VapidKeys | null, auth: Auth) {
  const assertEnabled = () => {
    if (vapid === null) throw new PlatformError('UNAVAILABLE', { message: 'Web Push is not configured on this hub.' });
  };
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.get('/api/push', { schema: { tags: ['push'] }, preHandler: auth }, async (request) => {
      const customerId = customerOf(request).id;
      return {
        enabled: vapid !== null,
        public_key: vapid?.publicKey ?? null,
        devices: await subscriptions.list(customerId),
        muted: await subscriptions.muted(customerId),
      };
    });
    r.put('/api/push/subscriptions', { schema: { tags: ['push'], body: PushSubscriptionBodySchema }, preHandler: auth }, async (request) => {
      assertEnabled();
      return subscriptions.subscribe(customerOf(request).id, request.body);
    });
    r.delete('/api/push/subscriptions/:id', { schema: { tags: ['push'], params: SubscriptionIdParamsSchema }, preHandler: auth }, async (request, reply) => {
      await subscriptions.remove(customerOf(request).id, request.params.id);
      return reply.status(204).send();
    });
    r.put('/api/push/muted', { schema: { tags: ['push'], body: PushMuteBodySchema }, preHandler: auth }, async (request, reply) => {
      await subscriptions.setPush(customerOf(request).id, request.body);
      return reply.status(204).send();
    });
  };
}

/**
 * Customer API for Web Push: the hub's VAPID public key and this customer's devices and
 * push choices (`GET /api/push`), adding this device (`PUT /api/push/subscriptions`),
 * removing a device (`DELETE /api/push/subscriptions/:id`), and keeping a business's
 * granted category off push or on it again (`PUT /api/push/muted`), and a notification's
 * button answering its question (`POST /api/push/answer`, token-authorized: actions.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { customerOf } from '../../http/customer-auth.js';
import type { PushAnswers } from './actions.js';
import {
  PushAnswerBodySchema,
  PushMuteBodySchema,
  PushSubscriptionBodySchema,
  SubscriptionIdParamsSchema,
} from './schemas.js';
import type { PushSubscriptions } from './subscriptions.js';
import type { VapidKeys } from './vapid.js';

type Auth = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export function pushRoutes(subscriptions: PushSubscriptions, answers: PushAnswers, vapid: VapidKeys, auth: Auth) {
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.get('/api/push', { schema: { tags: ['push'] }, preHandler: auth }, async (request) => {
      const customerId = customerOf(request).id;
      return {
        enabled: true,
        public_key: vapid.publicKey,
        devices: await subscriptions.list(customerId),
        muted: await subscriptions.muted(customerId),
      };
    });
    r.put(
      '/api/push/subscriptions',
      { schema: { tags: ['push'], body: PushSubscriptionBodySchema }, preHandler: auth },
      async (request) => {
        return subscriptions.subscribe(customerOf(request).id, request.body);
      },
    );
    r.delete(
      '/api/push/subscriptions/:id',
      { schema: { tags: ['push'], params: SubscriptionIdParamsSchema }, preHandler: auth },
      async (request, reply) => {
        await subscriptions.remove(customerOf(request).id, request.params.id);
        return reply.status(204).send();
      },
    );
    // Authorized by the notification's single-use token, not the session: the device may be locked out of it.
    r.post('/api/push/answer', { schema: { tags: ['push'], body: PushAnswerBodySchema } }, async (request) =>
      answers.answer({ token: request.body.token, messageMid: request.body.message_mid, button: request.body.button }),
    );
    r.put(
      '/api/push/muted',
      { schema: { tags: ['push'], body: PushMuteBodySchema }, preHandler: auth },
      async (request, reply) => {
        await subscriptions.setPush(customerOf(request).id, request.body);
        return reply.status(204).send();
      },
    );
  };
}

/** Customer privacy API (`/api/privacy/…`) and the hub's public signing keys. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { HubContext } from '../../context.js';
import { SigningKeys } from '../../crypto/signing-keys.js';
import { customerOf } from '../../http/customer-auth.js';
import type { Privacy } from '../../privacy/privacy.js';
import type { Consents } from './consents.js';
import {
  LedgerListSchema,
  PageIdParamsSchema,
  PrivacyBusinessListSchema,
  PrivacyBusinessSchema,
  ReceiptIdParamsSchema,
  ReceiptSchema,
  RenewConsentBodySchema,
  SetConsentBodySchema,
  UnlinkBodySchema,
} from './schemas.js';

type Auth = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export function privacyRoutes(ctx: HubContext, consents: Consents, auth: Auth, privacy?: Privacy) {
  return async (app: FastifyInstance): Promise<void> => {
    // First start generates the signing key; later starts load it.
    await SigningKeys.of(ctx).ensure();

    app.get('/.well-known/jwks.json', async (_request, reply) => {
      void reply.header('cache-control', 'public, max-age=300');
      return SigningKeys.of(ctx).jwks();
    });

    await app.register(async (scope) => {
      const r = scope.withTypeProvider<ZodTypeProvider>();
      r.addHook('preHandler', auth);
      const one = { tags: ['privacy'], params: PageIdParamsSchema, response: { 200: PrivacyBusinessSchema } };

      r.get(
        '/api/privacy/businesses',
        { schema: { tags: ['privacy'], response: { 200: PrivacyBusinessListSchema } } },
        async (request) => ({
          data: await consents.businesses(customerOf(request).id),
        }),
      );

      r.put(
        '/api/privacy/businesses/:pageId/consent',
        { schema: { ...one, body: SetConsentBodySchema } },
        async (request) =>
          consents.set(
            customerOf(request).id,
            request.params.pageId,
            request.body.categories,
            request.body.duration_days,
          ),
      );

      r.post(
        '/api/privacy/businesses/:pageId/consent/renew',
        { schema: { ...one, body: RenewConsentBodySchema } },
        async (request) => consents.renew(customerOf(request).id, request.params.pageId, request.body?.duration_days),
      );

      r.delete('/api/privacy/businesses/:pageId/consent', { schema: one }, async (request) =>
        consents.revoke(customerOf(request).id, request.params.pageId),
      );

      r.post(
        '/api/privacy/businesses/:pageId/unlink',
        { schema: { ...one, body: UnlinkBodySchema } },
        async (request) => {
          // erase_history: the conversation's key is shredded and its history deleted first (privacy/erasure.ts).
          if (request.body?.erase_history === true && privacy !== undefined)
            await privacy.eraseHistory(customerOf(request).id, request.params.pageId);
          return consents.unlink(customerOf(request).id, request.params.pageId);
        },
      );

      r.get(
        '/api/privacy/ledger',
        { schema: { tags: ['privacy'], response: { 200: LedgerListSchema } } },
        async (request) => ({
          data: await consents.ledger(customerOf(request).id),
        }),
      );

      r.get(
        '/api/privacy/receipts/:id',
        { schema: { tags: ['privacy'], params: ReceiptIdParamsSchema, response: { 200: ReceiptSchema } } },
        async (request) => consents.receipt(customerOf(request).id, request.params.id),
      );
    });
  };
}

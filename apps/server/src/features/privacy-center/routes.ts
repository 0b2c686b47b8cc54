/**
 * The customer's privacy center, over the privacy service (privacy/privacy.ts): account
 * deletion (`DELETE /api/account`, password in the body), the access log
 * (`GET /api/privacy/access-log`) and the export (`GET /api/privacy/export`).
 * Unlinking with `erase_history` lives on the consent routes' unlink endpoint.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AccessLogQuerySchema, DeleteAccountBodySchema } from '@confide/protocol';
import { SESSION_COOKIE, customerOf } from '../../http/customer-auth.js';
import type { Privacy } from '../../privacy/privacy.js';

type Auth = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** What account deletion needs of the customers feature: the password check (rate limited with logins). */
export interface PasswordCheck {
  confirmPassword(customerId: string, password: string, ip: string): Promise<void>;
}

export function privacyCenterRoutes(privacy: Privacy, accounts: PasswordCheck, auth: Auth) {
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.delete(
      '/api/account',
      { schema: { tags: ['account'], body: DeleteAccountBodySchema }, preHandler: auth },
      async (request, reply) => {
        const customerId = customerOf(request).id;
        await privacy.deleteOwnAccount(customerId, () =>
          accounts.confirmPassword(customerId, request.body.password, request.ip),
        );
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send();
      },
    );
    r.get(
      '/api/privacy/access-log',
      {
        schema: { tags: ['privacy'], querystring: AccessLogQuerySchema },
        preHandler: auth,
      },
      async (request) => ({ data: await privacy.accessLog(customerOf(request).id, request.query.limit) }),
    );
    r.get('/api/privacy/export', { schema: { tags: ['privacy'] }, preHandler: auth }, async (request, reply) => {
      const data = await privacy.exportCustomer(customerOf(request).id);
      void reply.header('content-disposition', 'attachment; filename="confide-export.json"');
      void reply.header('cache-control', 'no-store');
      return data;
    });
  };
}

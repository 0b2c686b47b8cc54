/** Customer API: sign up, log in, log out, who am I, change password. */
import { ChangePasswordBodySchema, CredentialsBodySchema, CustomerSchema } from '@confide/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { HubContext } from '../../context.js';
import { authOf } from '../../http/auth.js';
import { SESSION_COOKIE, assertSameOrigin, customerOf, requireCustomer } from '../../http/customer-auth.js';
import type { Accounts, SessionGrant } from './accounts.js';

const SessionResponseSchema = z.object({ customer: CustomerSchema });

export function customerRoutes(ctx: HubContext, accounts: Accounts) {
  const secure = ctx.config.publicUrl.startsWith('https://');
  const setCookie = (reply: FastifyReply, grant: SessionGrant) =>
    reply.setCookie(SESSION_COOKIE, grant.sessionToken, {
      httpOnly: true,
      sameSite: 'strict',
      secure,
      path: '/',
      expires: new Date(grant.expiresAt),
    });

  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const auth = requireCustomer(accounts, ctx.config.publicUrl);

    r.post(
      '/api/signup',
      { schema: { tags: ['account'], body: CredentialsBodySchema, response: { 201: SessionResponseSchema } } },
      async (request, reply) => {
        assertSameOrigin(request, ctx.config.publicUrl);
        const grant = await accounts.signUp(request.body);
        setCookie(reply, grant);
        return reply.status(201).send({ customer: grant.customer });
      },
    );

    r.post(
      '/api/login',
      { schema: { tags: ['account'], body: CredentialsBodySchema, response: { 200: SessionResponseSchema } } },
      async (request, reply) => {
        assertSameOrigin(request, ctx.config.publicUrl);
        const grant = await accounts.logIn(request.body, request.ip);
        setCookie(reply, grant);
        return { customer: grant.customer };
      },
    );

    r.post('/api/logout', { schema: { tags: ['account'] }, preHandler: auth }, async (request, reply) => {
      await accounts.logOut(authOf(request, 'customer').sessionToken);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    });

    r.get(
      '/api/me',
      { schema: { tags: ['account'], response: { 200: SessionResponseSchema } }, preHandler: auth },
      async (request) => ({
        customer: customerOf(request),
      }),
    );

    r.post(
      '/api/password',
      { schema: { tags: ['account'], body: ChangePasswordBodySchema }, preHandler: auth },
      async (request, reply) => {
        const { current_password, new_password } = request.body;
        await accounts.changePassword(
          customerOf(request).id,
          current_password,
          new_password,
          authOf(request, 'customer').sessionToken,
          request.ip,
        );
        return reply.status(204).send();
      },
    );
  };
}

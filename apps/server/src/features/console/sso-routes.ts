/**
 * The console's single sign-on routes (features/sso) under `/console/api/sso`, and the
 * owner's action that links a member of their organisation to a provider subject.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { HubContext } from '../../context.js';
import { assertSameOrigin } from '../../http/customer-auth.js';
import { ssoRoutes } from '../sso/index.js';
import { memberOf, requireMember } from './console-auth.js';
import type { ConsoleMembers, MemberSessionGrant } from './members.js';

const LinkParams = z.object({ memberId: z.string().min(1).max(64) });
const LinkBody = z.object({ subject: z.string().min(1).max(255).nullable() });

export function consoleSsoRoutes(
  ctx: HubContext,
  members: ConsoleMembers,
  setCookie: (reply: FastifyReply, grant: MemberSessionGrant) => void,
) {
  const sso = members.sso;
  const signInRoutes = ssoRoutes({
    base: '/console/api/sso',
    home: '/console',
    secure: ctx.config.publicUrl.startsWith('https://'),
    client: sso?.client,
    signIn: async (identity, _request, reply) => {
      setCookie(reply, await (sso as NonNullable<typeof sso>).signIn(identity));
    },
    refused: async (error) => sso?.refused(error),
  });
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(signInRoutes);
    if (sso === undefined) return;
    const auth = requireMember(members, ctx.config.publicUrl);
    app
      .withTypeProvider<ZodTypeProvider>()
      .put(
        '/console/api/members/:memberId/sso',
        { schema: { tags: ['console'], params: LinkParams, body: LinkBody }, onRequest: auth },
        async (request, reply) => {
          assertSameOrigin(request, ctx.config.publicUrl);
          await sso.linkByOwner(memberOf(request), request.params.memberId, request.body.subject);
          return reply.status(204).send();
        },
      );
  };
}

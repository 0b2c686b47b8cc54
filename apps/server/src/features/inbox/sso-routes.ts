/** The agents' single sign-on routes under `/inbox/api/sso` (features/sso): the session opens with the agent cookie. */
import type { FastifyReply } from 'fastify';
import type { HubContext } from '../../context.js';
import { ssoRoutes } from '../sso/index.js';
import type { AgentSessionGrant, Agents } from './agents.js';

export function agentSsoRoutes(
  ctx: HubContext,
  agents: Agents,
  setCookie: (reply: FastifyReply, grant: AgentSessionGrant) => void,
) {
  const sso = agents.sso;
  return ssoRoutes({
    base: '/inbox/api/sso',
    home: '/inbox',
    secure: ctx.config.publicUrl.startsWith('https://'),
    client: sso?.client,
    signIn: async (identity, _request, reply) => {
      setCookie(reply, await (sso as NonNullable<typeof sso>).signIn(identity));
    },
    refused: async (error) => sso?.refused(error),
  });
}

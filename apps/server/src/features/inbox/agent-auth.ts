/**
 * Agent authentication for `/inbox/api`: the `confide_agent` session cookie (HTTP-only,
 * SameSite=Strict, scoped to the inbox API) and the same Origin checks as the customer
 * API, on state-changing requests and WebSocket upgrades.
 */
import { PlatformError } from '@confide/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticateSession } from '../../http/customer-auth.js';
import type { Agent, Agents } from './agents.js';

export const AGENT_COOKIE = 'confide_agent';
/** The cookie is only ever sent to the inbox API. */
export const AGENT_COOKIE_PATH = '/inbox/api';

declare module 'fastify' {
  interface FastifyRequest {
    agent?: Agent;
    agentSessionToken?: string;
  }
}

/** Builds the preHandler that requires a logged-in agent (the session check customers use: http/customer-auth.ts). */
export function requireAgent(agents: Agents, publicUrl: string) {
  const check = {
    cookie: AGENT_COOKIE,
    kind: 'agent',
    publicUrl,
    authenticate: (token: string) => agents.authenticate(token),
  } as const;
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const { owner, token } = await authenticateSession(request, check);
    request.agent = owner;
    request.agentSessionToken = token;
  };
}

/** The authenticated agent of a request that passed `requireAgent`. */
export function agentOf(request: FastifyRequest): Agent {
  if (request.agent === undefined) throw new PlatformError('UNAUTHENTICATED');
  return request.agent;
}

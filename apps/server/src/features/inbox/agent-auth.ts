/**
 * Agent authentication for `/inbox/api`: the `confide_agent` session cookie (HTTP-only,
 * SameSite=Strict, scoped to the inbox API) and the same Origin checks as the customer
 * API, on state-changing requests and WebSocket upgrades.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authOf } from '../../http/auth.js';
import { authenticateSession } from '../../http/customer-auth.js';
import type { Agent, Agents } from './agents.js';

export const AGENT_COOKIE = 'confide_agent';
/** The cookie is only ever sent to the inbox API. */
export const AGENT_COOKIE_PATH = '/inbox/api';

declare module '../../http/auth.js' {
  interface AuthKinds {
    /** An agent's inbox session (`/inbox/api`). */
    agent: { agent: Agent; sessionToken: string };
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The agent session's token (signing out ends it); the caller is `request.auth`. */
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
    request.auth = { kind: 'agent', agent: owner, sessionToken: token };
    request.agentSessionToken = token;
  };
}

/** The authenticated agent of a request that passed `requireAgent`. */
export function agentOf(request: FastifyRequest): Agent {
  return authOf(request, 'agent').agent;
}

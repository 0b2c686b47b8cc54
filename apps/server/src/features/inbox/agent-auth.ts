/**
 * Agent authentication for `/inbox/api`: the `confide_agent` session cookie (HTTP-only,
 * SameSite=Strict, scoped to the inbox API) and the same Origin checks as the customer
 * API, on state-changing requests and WebSocket upgrades.
 */
import { PlatformError } from '@confide/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sha256Hex } from '../../crypto/tokens.js';
import { assertSameOrigin, isUpgrade } from '../../http/customer-auth.js';
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

/** Builds the preHandler that requires a logged-in agent. */
export function requireAgent(agents: Agents, publicUrl: string) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const upgrade = isUpgrade(request);
    assertSameOrigin(request, publicUrl, upgrade);
    const token = request.cookies[AGENT_COOKIE];
    const agent = token === undefined ? undefined : await agents.authenticate(token);
    if (agent === undefined || token === undefined) throw new PlatformError('UNAUTHENTICATED');
    request.agent = agent;
    request.agentSessionToken = token;
    // The inbox stream is closed when this session ends (features/realtime/live-sessions.ts).
    if (upgrade) request.liveSession = { kind: 'agent', ownerId: agent.id, idHash: sha256Hex(token) };
  };
}

/** The authenticated agent of a request that passed `requireAgent`. */
export function agentOf(request: FastifyRequest): Agent {
  if (request.agent === undefined) throw new PlatformError('UNAUTHENTICATED');
  return request.agent;
}

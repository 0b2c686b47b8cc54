/**
 * The console's people of a page (`/console/api/pages/{pageId}/…`): the Messenger Profile,
 * personas, inbox agents (with their team and capacity) and inbox teams. Reading needs a member
 * of the page's organisation; changing, the roles each use case names.
 */
import {
  ConsoleAgentPlacementBodySchema,
  ConsoleAgentSchema,
  ConsoleAgentsSchema,
  ConsoleCreateAgentBodySchema,
  ConsoleCreateTeamBodySchema,
  ConsoleDeletedSchema,
  ConsolePersonaSchema,
  ConsolePersonasSchema,
  ConsoleProfileSchema,
  ConsoleTeamSchema,
  ConsoleTeamsSchema,
  ConsoleUpdateTeamBodySchema,
  CreatePersonaRequestSchema,
  MessengerProfileSchema,
} from '@confide/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { memberOf } from './console-auth.js';
import type { ConsolePeople } from './console-people.js';
import type { ConsoleTeams } from './console-teams.js';

const tags = ['console'];
const PageParams = z.object({ pageId: z.string().min(1).max(64) });
const TeamParams = PageParams.extend({ teamId: z.string().min(1).max(64) });
const AgentParams = PageParams.extend({ agentId: z.string().min(1).max(64) });

type Auth = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export function consolePeopleRoutes(auth: Auth, people: ConsolePeople, teams: ConsoleTeams) {
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.get(
      '/console/api/pages/:pageId/profile',
      { schema: { tags, params: PageParams, response: { 200: ConsoleProfileSchema } }, onRequest: auth },
      async (request) => people.profile(memberOf(request), request.params.pageId),
    );
    r.put(
      '/console/api/pages/:pageId/profile',
      {
        schema: { tags, params: PageParams, body: MessengerProfileSchema, response: { 200: ConsoleProfileSchema } },
        onRequest: auth,
      },
      async (request) => people.setProfile(memberOf(request), request.params.pageId, request.body),
    );
    r.get(
      '/console/api/pages/:pageId/personas',
      { schema: { tags, params: PageParams, response: { 200: ConsolePersonasSchema } }, onRequest: auth },
      async (request) => ({
        data: await people.personas(memberOf(request), request.params.pageId),
      }),
    );
    r.post(
      '/console/api/pages/:pageId/personas',
      {
        schema: {
          tags,
          params: PageParams,
          body: CreatePersonaRequestSchema.strict(),
          response: { 201: ConsolePersonaSchema },
        },
        onRequest: auth,
      },
      async (request, reply) =>
        reply.status(201).send(await people.createPersona(memberOf(request), request.params.pageId, request.body)),
    );
    agentRoutes(app, auth, people, teams);
    teamRoutes(app, auth, teams);
  };
}

/** Inbox agents: list, create, and their team and capacity. */
function agentRoutes(app: FastifyInstance, auth: Auth, people: ConsolePeople, teams: ConsoleTeams) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/console/api/pages/:pageId/agents',
    { schema: { tags, params: PageParams, response: { 200: ConsoleAgentsSchema } }, onRequest: auth },
    async (request) => ({
      data: await people.agents(memberOf(request), request.params.pageId),
    }),
  );
  r.post(
    '/console/api/pages/:pageId/agents',
    {
      schema: { tags, params: PageParams, body: ConsoleCreateAgentBodySchema, response: { 201: ConsoleAgentSchema } },
      onRequest: auth,
    },
    async (request, reply) =>
      reply.status(201).send(await people.createAgent(memberOf(request), request.params.pageId, request.body)),
  );

  r.put(
    '/console/api/pages/:pageId/agents/:agentId',
    {
      schema: {
        tags,
        params: AgentParams,
        body: ConsoleAgentPlacementBodySchema,
        response: { 200: ConsoleAgentSchema },
      },
      onRequest: auth,
    },
    async (request) => teams.placeAgent(memberOf(request), request.params.pageId, request.params.agentId, request.body),
  );
}

/** Inbox teams: list, create, change, delete. */
function teamRoutes(app: FastifyInstance, auth: Auth, teams: ConsoleTeams) {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/console/api/pages/:pageId/teams',
    { schema: { tags, params: PageParams, response: { 200: ConsoleTeamsSchema } }, onRequest: auth },
    async (request) => ({ data: await teams.list(memberOf(request), request.params.pageId) }),
  );
  typed.post(
    '/console/api/pages/:pageId/teams',
    {
      schema: { tags, params: PageParams, body: ConsoleCreateTeamBodySchema, response: { 201: ConsoleTeamSchema } },
      onRequest: auth,
    },
    async (request, reply) =>
      reply.status(201).send(await teams.create(memberOf(request), request.params.pageId, request.body)),
  );
  typed.put(
    '/console/api/pages/:pageId/teams/:teamId',
    {
      schema: { tags, params: TeamParams, body: ConsoleUpdateTeamBodySchema, response: { 200: ConsoleTeamSchema } },
      onRequest: auth,
    },
    async (request) => teams.update(memberOf(request), request.params.pageId, request.params.teamId, request.body),
  );
  typed.delete(
    '/console/api/pages/:pageId/teams/:teamId',
    { schema: { tags, params: TeamParams, response: { 200: ConsoleDeletedSchema } }, onRequest: auth },
    async (request) => teams.delete(memberOf(request), request.params.pageId, request.params.teamId),
  );
}

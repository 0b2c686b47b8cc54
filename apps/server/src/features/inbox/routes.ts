/**
 * The agent inbox API under `/inbox/api`: login/logout/me with the `confide_agent` cookie,
 * the queue, one conversation's take / view / reply / resolve / snooze, and the closed view. Errors use the customer
 * API shape `{error:{code,message,status,request_id}}`.
 */
import {
  AgentReplyBodySchema,
  AgentStatusBodySchema,
  AgentTypingBodySchema,
  InboxAssignBodySchema,
  InboxCannedBodySchema,
  InboxCannedFilledSchema,
  InboxCannedListSchema,
  InboxCannedSchema,
  InboxClosedListSchema,
  InboxNoteBodySchema,
  InboxNoteListSchema,
  InboxNoteSchema,
  InboxClosedQuerySchema,
  InboxResolveBodySchema,
  InboxSnoozeBodySchema,
  CredentialsBodySchema,
  InboxConversationSchema,
  InboxConversationStateSchema,
  InboxMessageSchema,
  InboxQueueSchema,
  InboxSessionSchema,
} from '@confide/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { HubContext } from '../../context.js';
import { assertSameOrigin } from '../../http/customer-auth.js';
import { AGENT_COOKIE, AGENT_COOKIE_PATH, agentOf, requireAgent } from './agent-auth.js';
import type { AgentSessionGrant, Agents } from './agents.js';
import type { Inbox } from './inbox.js';
import { presentAgent } from './presenters.js';
import { addNote, listNotes } from './notes.js';
import { createCanned, fillCanned, listCanned } from './canned.js';
import { supervisionRoutes } from './supervision-routes.js';

export { approvalGraphRoutes } from './supervision-routes.js';
import { agentSsoRoutes } from './sso-routes.js';

const ConversationParamsSchema = z.object({ id: z.string().min(1).max(64) });
const tags = ['inbox'];

export function inboxRoutes(ctx: HubContext, agents: Agents, inbox: Inbox) {
  const secure = ctx.config.publicUrl.startsWith('https://');
  const setCookie = (reply: FastifyReply, grant: AgentSessionGrant) =>
    reply.setCookie(AGENT_COOKIE, grant.sessionToken, {
      httpOnly: true,
      sameSite: 'strict',
      secure,
      path: AGENT_COOKIE_PATH,
      expires: new Date(grant.expiresAt),
    });

  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const auth = requireAgent(agents, ctx.config.publicUrl);
    await app.register(supervisionRoutes(ctx, inbox, auth));
    await app.register(agentSsoRoutes(ctx, agents, setCookie));

    r.post(
      '/inbox/api/login',
      { schema: { tags, body: CredentialsBodySchema, response: { 200: InboxSessionSchema } } },
      async (request, reply) => {
        assertSameOrigin(request, ctx.config.publicUrl);
        const grant = await agents.logIn(request.body, request.ip);
        setCookie(reply, grant);
        return { agent: presentAgent(grant.agent) };
      },
    );
    r.post('/inbox/api/logout', { schema: { tags }, preHandler: auth }, async (request, reply) => {
      await agents.logOut(request.agentSessionToken as string);
      reply.clearCookie(AGENT_COOKIE, { path: AGENT_COOKIE_PATH });
      return reply.status(204).send();
    });
    r.get(
      '/inbox/api/me',
      { schema: { tags, response: { 200: InboxSessionSchema } }, preHandler: auth },
      async (request) => ({ agent: presentAgent(agentOf(request)) }),
    );

    r.put(
      '/inbox/api/me/status',
      { schema: { tags, body: AgentStatusBodySchema }, preHandler: auth },
      async (request, reply) => {
        await inbox.setStatus(agentOf(request), request.body.status);
        return reply.status(204).send();
      },
    );

    r.get(
      '/inbox/api/queue',
      { schema: { tags, response: { 200: InboxQueueSchema } }, preHandler: auth },
      async (request) => inbox.queue(agentOf(request)),
    );

    r.get(
      '/inbox/api/conversations/:id',
      {
        schema: { tags, params: ConversationParamsSchema, response: { 200: InboxConversationSchema } },
        preHandler: auth,
      },
      async (request) => inbox.view(agentOf(request), request.params.id),
    );
    r.get(
      '/inbox/api/conversations/:id/state',
      {
        schema: { tags, params: ConversationParamsSchema, response: { 200: InboxConversationStateSchema } },
        preHandler: auth,
      },
      async (request) => inbox.state(agentOf(request), request.params.id),
    );
    r.post(
      '/inbox/api/conversations/:id/take',
      { schema: { tags, params: ConversationParamsSchema }, preHandler: auth },
      async (request, reply) => {
        await inbox.take(agentOf(request), request.params.id);
        return reply.status(204).send();
      },
    );
    r.post(
      '/inbox/api/conversations/:id/messages',
      {
        schema: {
          tags,
          params: ConversationParamsSchema,
          body: AgentReplyBodySchema,
          response: { 201: InboxMessageSchema },
        },
        preHandler: auth,
      },
      async (request, reply) =>
        reply.status(201).send(await inbox.reply(agentOf(request), request.params.id, request.body.text)),
    );
    // Resolve; `/done` is its older name, kept for existing clients.
    for (const verb of ['resolve', 'done'] as const) {
      r.post(
        `/inbox/api/conversations/:id/${verb}`,
        {
          schema: { tags, params: ConversationParamsSchema, body: InboxResolveBodySchema.nullish() },
          preHandler: auth,
        },
        async (request, reply) => {
          await inbox.resolve(agentOf(request), request.params.id, request.body?.note);
          return reply.status(204).send();
        },
      );
    }
    r.post(
      '/inbox/api/conversations/:id/typing',
      { schema: { tags, params: ConversationParamsSchema, body: AgentTypingBodySchema }, preHandler: auth },
      async (request, reply) => {
        await inbox.typing(agentOf(request), request.params.id, request.body.on);
        return reply.status(204).send();
      },
    );
    r.post(
      '/inbox/api/conversations/:id/assign',
      { schema: { tags, params: ConversationParamsSchema, body: InboxAssignBodySchema }, preHandler: auth },
      async (request, reply) => {
        await inbox.assign(agentOf(request), request.params.id, request.body);
        return reply.status(204).send();
      },
    );
    r.get(
      '/inbox/api/canned',
      { schema: { tags, response: { 200: InboxCannedListSchema } }, preHandler: auth },
      async (request) => ({
        data: await listCanned(ctx, agentOf(request)),
      }),
    );
    r.post(
      '/inbox/api/canned',
      { schema: { tags, body: InboxCannedBodySchema, response: { 201: InboxCannedSchema } }, preHandler: auth },
      async (request, reply) => reply.status(201).send(await createCanned(ctx, agentOf(request), request.body)),
    );
    r.post(
      '/inbox/api/conversations/:id/canned/:cannedId',
      {
        schema: {
          tags,
          params: ConversationParamsSchema.extend({ cannedId: z.string().min(1).max(64) }),
          response: { 200: InboxCannedFilledSchema },
        },
        preHandler: auth,
      },
      async (request) => fillCanned(ctx, agentOf(request), request.params.id, request.params.cannedId),
    );
    r.get(
      '/inbox/api/conversations/:id/notes',
      { schema: { tags, params: ConversationParamsSchema, response: { 200: InboxNoteListSchema } }, preHandler: auth },
      async (request) => ({ data: await listNotes(ctx, agentOf(request), request.params.id) }),
    );
    r.post(
      '/inbox/api/conversations/:id/notes',
      {
        schema: {
          tags,
          params: ConversationParamsSchema,
          body: InboxNoteBodySchema,
          response: { 201: InboxNoteSchema },
        },
        preHandler: auth,
      },
      async (request, reply) =>
        reply.status(201).send(await addNote(ctx, agentOf(request), request.params.id, request.body.text)),
    );
    r.post(
      '/inbox/api/conversations/:id/snooze',
      { schema: { tags, params: ConversationParamsSchema, body: InboxSnoozeBodySchema }, preHandler: auth },
      async (request) => inbox.snooze(agentOf(request), request.params.id, request.body.minutes),
    );
    r.get(
      '/inbox/api/closed',
      {
        schema: { tags, querystring: InboxClosedQuerySchema, response: { 200: InboxClosedListSchema } },
        preHandler: auth,
      },
      async (request) => inbox.closed(agentOf(request), request.query),
    );
  };
}

/**
 * Supervision routes: four-eyes approvals and SLA targets in the inbox API (`/inbox/api`,
 * the agent cookie), the supervisor's view, and `POST /{page-id}/approval_requests` on the
 * Platform API (page token, Graph envelope on errors).
 */
import {
  ApprovalStatusSchema,
  CreateApprovalRequestSchema,
  InboxApprovalBodySchema,
  InboxApprovalDecisionBodySchema,
  InboxApprovalListSchema,
  InboxConversationSchema,
  InboxCsatSummarySchema,
  InboxSlaBodySchema,
  InboxSupervisionSchema,
} from '@confide/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { HubContext } from '../../context.js';
import { PAGE_BASES, parseParams, type GraphRoutes } from '../../http/graph-request.js';
import { agentOf } from './agent-auth.js';
import { decideApproval, requestApprovalFromAgent, requestApprovalFromApp } from './approvals.js';
import { listApprovals } from './approvals-read.js';
import { csatSummary } from './csat-read.js';
import type { Inbox } from './inbox.js';
import { setTeamSla } from './sla.js';
import { superviseConversation, supervisionOf } from './supervision.js';
import { transferTargetRoutes } from './transfer-targets.js';

const IdParamsSchema = z.object({ id: z.string().min(1).max(64) });
const ApprovalsQuerySchema = z
  .object({ status: ApprovalStatusSchema.optional(), conversation_id: z.string().min(1).max(64).optional() })
  .strict();
const tags = ['inbox'];
type PreHandler = Parameters<FastifyInstance['addHook']>[1];

export function supervisionRoutes(ctx: HubContext, inbox: Inbox, auth: PreHandler) {
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const preHandler = auth as never;
    await app.register(transferTargetRoutes(ctx, preHandler));
    r.get(
      '/inbox/api/approvals',
      { schema: { tags, querystring: ApprovalsQuerySchema, response: { 200: InboxApprovalListSchema } }, preHandler },
      async (request) => ({
        data: await listApprovals(ctx, agentOf(request), {
          status: request.query.status,
          conversationId: request.query.conversation_id,
        }),
      }),
    );
    r.post(
      '/inbox/api/conversations/:id/approvals',
      { schema: { tags, params: IdParamsSchema, body: InboxApprovalBodySchema }, preHandler },
      async (request, reply) => {
        const { kind, summary, details } = InboxApprovalBodySchema.parse(request.body);
        const id = await requestApprovalFromAgent(ctx, agentOf(request), request.params.id, { kind, summary, details });
        return reply.status(201).send({ id });
      },
    );
    r.post(
      '/inbox/api/approvals/:id/decision',
      { schema: { tags, params: IdParamsSchema, body: InboxApprovalDecisionBodySchema }, preHandler },
      async (request, reply) => {
        await decideApproval(ctx, agentOf(request), request.params.id, request.body);
        return reply.status(204).send();
      },
    );
    r.put(
      '/inbox/api/teams/:id/sla',
      { schema: { tags, params: IdParamsSchema, body: InboxSlaBodySchema }, preHandler },
      async (request, reply) => {
        await setTeamSla(ctx, agentOf(request), request.params.id, request.body);
        return reply.status(204).send();
      },
    );
    r.get(
      '/inbox/api/supervision',
      { schema: { tags, response: { 200: InboxSupervisionSchema } }, preHandler },
      async (request) => supervisionOf(ctx, agentOf(request)),
    );
    r.get(
      '/inbox/api/supervision/csat',
      { schema: { tags, response: { 200: InboxCsatSummarySchema } }, preHandler },
      async (request) => csatSummary(ctx, agentOf(request)),
    );
    r.get(
      '/inbox/api/supervision/conversations/:id',
      { schema: { tags, params: IdParamsSchema, response: { 200: InboxConversationSchema } }, preHandler },
      async (request) => superviseConversation(ctx, inbox, agentOf(request), request.params.id),
    );
  };
}

/** `POST /{page-id}/approval_requests` (and `/me/…`), page token: answers `{id}`. A Confide extension. */
export function approvalGraphRoutes(ctx: HubContext): GraphRoutes {
  return (router) => {
    for (const base of PAGE_BASES) {
      router.route('POST', `${base}/approval_requests`, async (call) => {
        const input = parseParams(CreateApprovalRequestSchema, call.params);
        return requestApprovalFromApp(ctx, call.principal, {
          psid: input.recipient.id,
          kind: input.kind,
          summary: input.summary,
          details: input.details,
        });
      });
    }
  };
}

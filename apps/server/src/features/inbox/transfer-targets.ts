/**
 * Whom an agent may transfer a conversation to: the teams of their page, and its agents with their
 * status and load (conversations assigned or snoozed), for the pane's Transfer control.
 */
import { InboxTransferTargetsSchema, type InboxTransferTargets } from '@confide/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { HubContext } from '../../context.js';
import { agentOf } from './agent-auth.js';
import type { Agent } from './agents.js';

/** `GET /inbox/api/transfer-targets` for any signed-in agent (`preHandler`: the agent check). */
export function transferTargetRoutes(ctx: HubContext, preHandler: never) {
  return async (app: FastifyInstance): Promise<void> => {
    app
      .withTypeProvider<ZodTypeProvider>()
      .get(
        '/inbox/api/transfer-targets',
        { schema: { tags: ['inbox'], response: { 200: InboxTransferTargetsSchema } }, preHandler },
        async (request) => transferTargetsOf(ctx, agentOf(request)),
      );
  };
}

/** `GET /inbox/api/transfer-targets`: only the agent's page. */
export async function transferTargetsOf(ctx: HubContext, agent: Agent): Promise<InboxTransferTargets> {
  const db = ctx.storage.db;
  const [teams, agents, loads] = await Promise.all([
    db.selectFrom('inbox_teams').select(['id', 'name']).where('page_id', '=', agent.page_id).orderBy('name').execute(),
    db
      .selectFrom('agents as a')
      .leftJoin('inbox_teams as tm', 'tm.id', 'a.team_id')
      .select(['a.id', 'a.display_name', 'a.status', 'a.capacity', 'tm.name as team'])
      .where('a.page_id', '=', agent.page_id)
      .orderBy('a.display_name')
      .execute(),
    db
      .selectFrom('inbox_threads')
      .select(['agent_id', (eb) => eb.fn.countAll().as('n')])
      .where('page_id', '=', agent.page_id)
      .where('agent_id', 'is not', null)
      .where('status', 'in', ['assigned', 'snoozed'])
      .groupBy('agent_id')
      .execute(),
  ]);
  const load = new Map(loads.map((l) => [l.agent_id, Number(l.n)]));
  return {
    teams,
    agents: agents.map((a) => ({
      id: a.id,
      display_name: a.display_name,
      team: a.team,
      status: a.status === 'online' || a.status === 'away' ? a.status : 'offline',
      load: load.get(a.id) ?? 0,
      capacity: Number(a.capacity),
    })),
  };
}

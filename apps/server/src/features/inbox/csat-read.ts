/**
 * The supervisor's view of satisfaction answers (csat.ts): the average score per team and per
 * agent of the page over the last 7 days, with how many answers each average rests on.
 */
import type { InboxCsatSummary } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import type { Agent } from './agents.js';
import { assertSupervisor } from './supervision.js';

const WEEK_MS = 7 * 24 * 3_600_000;

/** @throws PlatformError `FORBIDDEN` for an agent who is not a supervisor. */
export async function csatSummary(ctx: HubContext, agent: Agent): Promise<InboxCsatSummary> {
  assertSupervisor(agent);
  const since = ctx.now() - WEEK_MS;
  const base = ctx.storage.db
    .selectFrom('inbox_csat as q')
    .where('q.page_id', '=', agent.page_id)
    .where('q.answered_at', '>=', since)
    .where('q.score', 'is not', null);
  const teams = await base
    .leftJoin('inbox_teams as tm', 'tm.id', 'q.team_id')
    .select((eb) => [
      'q.team_id as id',
      'tm.name as name',
      eb.fn.avg<number | string>('q.score').as('average'),
      eb.fn.countAll<number | string>().as('answers'),
    ])
    .groupBy(['q.team_id', 'tm.name'])
    .execute();
  const agents = await base
    .leftJoin('agents as a', 'a.id', 'q.agent_id')
    .select((eb) => [
      'q.agent_id as id',
      'a.display_name as name',
      eb.fn.avg<number | string>('q.score').as('average'),
      eb.fn.countAll<number | string>().as('answers'),
    ])
    .groupBy(['q.agent_id', 'a.display_name'])
    .execute();
  const present = (r: {
    id: string | null;
    name: string | null;
    average: number | string;
    answers: number | string;
  }) => ({
    id: r.id,
    name: r.name,
    average: Math.round(Number(r.average) * 100) / 100,
    answers: Number(r.answers),
  });
  const byName = (a: { name: string | null }, b: { name: string | null }) => (a.name ?? '').localeCompare(b.name ?? '');
  return { since, teams: teams.map(present).sort(byName), agents: agents.map(present).sort(byName) };
}

/**
 * Managing a page's inbox teams after they exist (the console's Teams panel): list them with
 * their agents, rename, switch auto-assign, set or clear business hours, delete, and move an
 * agent into a team (or out of every team) with the number of conversations they take at once.
 * Every function is scoped to one page: a team or agent of another page is not found.
 */
import { PlatformError } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { BusinessHoursSchema, type BusinessHours } from './business-hours.js';
import { checkTeamName, type Team } from './teams.js';

export interface TeamWithAgents extends Team {
  /** The ids of the page's agents in the team. */
  agent_ids: string[];
}

export interface TeamChanges {
  name?: string | undefined;
  autoAssign?: boolean | undefined;
  /** Business hours; null: always open. */
  hours?: unknown;
}

/** Most conversations an agent may hold at once. */
export const MAX_AGENT_CAPACITY = 50;

function parseHours(hours: unknown): BusinessHours | null {
  if (hours === null) return null;
  const parsed = BusinessHoursSchema.safeParse(hours);
  if (!parsed.success)
    throw new PlatformError('BAD_REQUEST', {
      message: 'Business hours are {tz, open: "HH:MM", close: "HH:MM", days: [1-7]} with an IANA time zone.',
    });
  return parsed.data;
}

/** The page's teams, by name, each with its agents. */
export async function listTeams(ctx: HubContext, pageId: string): Promise<TeamWithAgents[]> {
  const db = ctx.storage.db;
  const teams = await db.selectFrom('inbox_teams').selectAll().where('page_id', '=', pageId).orderBy('name').execute();
  const agents = await db
    .selectFrom('agents')
    .select(['id', 'team_id'])
    .where('page_id', '=', pageId)
    .where('team_id', 'is not', null)
    .orderBy('created_at')
    .execute();
  return teams.map((t) => ({
    id: t.id,
    page_id: t.page_id,
    name: t.name,
    auto_assign: Number(t.auto_assign) === 1,
    hours: t.hours === null ? null : (JSON.parse(t.hours) as BusinessHours),
    agent_ids: agents.filter((a) => a.team_id === t.id).map((a) => a.id),
  }));
}

async function teamOf(ctx: HubContext, pageId: string, teamId: string): Promise<TeamWithAgents> {
  const team = (await listTeams(ctx, pageId)).find((t) => t.id === teamId);
  if (team === undefined) throw new PlatformError('NOT_FOUND', { message: 'No such team on this page.' });
  return team;
}

/**
 * Changes a team's name, auto-assign or business hours.
 * @throws PlatformError `NOT_FOUND` (another page's team), `BAD_REQUEST` (bad or taken name, bad hours).
 */
export async function updateTeam(
  ctx: HubContext,
  pageId: string,
  teamId: string,
  changes: TeamChanges,
): Promise<TeamWithAgents> {
  await teamOf(ctx, pageId, teamId);
  const name = changes.name === undefined ? undefined : checkTeamName(changes.name);
  const hours = changes.hours === undefined ? undefined : parseHours(changes.hours);
  await ctx.storage.writes.run(async ({ db }) => {
    if (name !== undefined) {
      const others = await db
        .selectFrom('inbox_teams')
        .select('name')
        .where('page_id', '=', pageId)
        .where('id', '!=', teamId)
        .execute();
      if (others.some((t) => t.name.toLowerCase() === name.toLowerCase()))
        throw new PlatformError('BAD_REQUEST', { message: `The page has a team called ${name} already.` });
    }
    await db
      .updateTable('inbox_teams')
      .set({
        ...(name === undefined ? {} : { name }),
        ...(changes.autoAssign === undefined ? {} : { auto_assign: changes.autoAssign ? 1 : 0 }),
        ...(hours === undefined ? {} : { hours: hours === null ? null : JSON.stringify(hours) }),
      })
      .where('id', '=', teamId)
      .where('page_id', '=', pageId)
      .execute();
  });
  return teamOf(ctx, pageId, teamId);
}

/**
 * Deletes a team: its agents and its waiting conversations stay, in no team; its canned
 * responses go with it.
 */
export async function deleteTeam(ctx: HubContext, pageId: string, teamId: string): Promise<Team> {
  const team = await teamOf(ctx, pageId, teamId);
  await ctx.storage.writes.run(async ({ db }) => {
    await db.updateTable('agents').set({ team_id: null }).where('team_id', '=', teamId).execute();
    await db.updateTable('inbox_threads').set({ team_id: null }).where('team_id', '=', teamId).execute();
    await db.deleteFrom('inbox_canned').where('team_id', '=', teamId).execute();
    await db.deleteFrom('inbox_teams').where('id', '=', teamId).where('page_id', '=', pageId).execute();
  });
  const { agent_ids: _agents, ...rest } = team;
  return rest;
}

/**
 * Puts an agent of the page in a team (null: no team) and/or sets their capacity.
 * @throws PlatformError `NOT_FOUND` for another page's agent or team, `BAD_REQUEST` for a bad capacity.
 */
export async function setAgentTeam(
  ctx: HubContext,
  pageId: string,
  agentId: string,
  input: { teamId?: string | null | undefined; capacity?: number | undefined },
): Promise<{ team_id: string | null; capacity: number }> {
  const db = ctx.storage.db;
  const agent = await db
    .selectFrom('agents')
    .select(['id', 'team_id', 'capacity'])
    .where('id', '=', agentId)
    .where('page_id', '=', pageId)
    .executeTakeFirst();
  if (agent === undefined) throw new PlatformError('NOT_FOUND', { message: 'No such agent on this page.' });
  if (typeof input.teamId === 'string') await teamOf(ctx, pageId, input.teamId);
  const capacity = input.capacity;
  if (capacity !== undefined && (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_AGENT_CAPACITY))
    throw new PlatformError('BAD_REQUEST', { message: `Capacity is a whole number from 1 to ${MAX_AGENT_CAPACITY}.` });
  const next = {
    team_id: input.teamId === undefined ? agent.team_id : input.teamId,
    capacity: capacity ?? Number(agent.capacity),
  };
  await ctx.storage.writes.run(({ db: w }) =>
    w.updateTable('agents').set(next).where('id', '=', agentId).where('page_id', '=', pageId).execute(),
  );
  return next;
}

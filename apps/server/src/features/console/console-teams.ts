/**
 * A page's inbox teams in the console: list, create, rename, auto-assign, business hours,
 * delete, and which team each agent is in with how many conversations they take at once.
 * Agent admins and owners change them (`people.manage`); every member of the organisation reads
 * them; another organisation's page, team or agent is not found. Every change is audited.
 */
import type {
  ConsoleAgentPlacementBody,
  ConsoleCreateTeamBody,
  ConsoleTeam,
  ConsoleUpdateTeamBody,
} from '@confide/protocol';
import type { HubContext } from '../../context.js';
import type { AuditAction } from '../../privacy/audit-log.js';
import type { Privacy } from '../../privacy/privacy.js';
import { deleteTeam, listTeams, setAgentTeam, updateTeam } from '../inbox/team-admin.js';
import { createTeam } from '../inbox/teams.js';
import { assertCan } from './access.js';
import type { ConsolePages } from './console-pages.js';
import type { ConsoleAgent, ConsolePeople } from './console-people.js';
import type { Member } from './members.js';

export class ConsoleTeams {
  readonly #ctx: HubContext;
  readonly #pages: ConsolePages;
  readonly #people: ConsolePeople;
  readonly #privacy: Privacy;

  constructor(ctx: HubContext, pages: ConsolePages, people: ConsolePeople, privacy: Privacy) {
    this.#ctx = ctx;
    this.#pages = pages;
    this.#people = people;
    this.#privacy = privacy;
  }

  async list(member: Member, pageId: string): Promise<ConsoleTeam[]> {
    const page = await this.#pages.get(member, pageId);
    return (await listTeams(this.#ctx, page.id)).map(present);
  }

  async create(member: Member, pageId: string, input: ConsoleCreateTeamBody): Promise<ConsoleTeam> {
    assertCan(member.role, 'people.manage');
    const page = await this.#pages.get(member, pageId);
    const team = await createTeam(this.#ctx, {
      pageId: page.id,
      name: input.name,
      autoAssign: input.auto_assign,
      ...(input.hours === null ? {} : { hours: input.hours }),
    });
    await this.#audit(member, 'console.team_created', team.id, page.id);
    return present({ ...team, agent_ids: [] });
  }

  async update(member: Member, pageId: string, teamId: string, input: ConsoleUpdateTeamBody): Promise<ConsoleTeam> {
    assertCan(member.role, 'people.manage');
    const page = await this.#pages.get(member, pageId);
    const team = await updateTeam(this.#ctx, page.id, teamId, {
      name: input.name,
      autoAssign: input.auto_assign,
      hours: input.hours,
    });
    await this.#audit(member, 'console.team_changed', teamId, page.id, Object.keys(input).join(','));
    return present(team);
  }

  async delete(member: Member, pageId: string, teamId: string): Promise<{ deleted: true }> {
    assertCan(member.role, 'people.manage');
    const page = await this.#pages.get(member, pageId);
    await deleteTeam(this.#ctx, page.id, teamId);
    await this.#audit(member, 'console.team_deleted', teamId, page.id);
    return { deleted: true };
  }

  /** Moves an agent into a team (or out of every team) and/or sets their capacity. */
  async placeAgent(
    member: Member,
    pageId: string,
    agentId: string,
    input: ConsoleAgentPlacementBody,
  ): Promise<ConsoleAgent> {
    assertCan(member.role, 'people.manage');
    const page = await this.#pages.get(member, pageId);
    await setAgentTeam(this.#ctx, page.id, agentId, { teamId: input.team_id, capacity: input.capacity });
    await this.#audit(member, 'console.agent_placed', agentId, page.id, Object.keys(input).join(','));
    return this.#people.agent(member, page.id, agentId);
  }

  async #audit(member: Member, action: AuditAction, target: string, pageId: string, fields?: string): Promise<void> {
    await this.#privacy.record({
      actor: `member:${member.id}`,
      action,
      target,
      details: { page: pageId, ...(fields === undefined ? {} : { fields }) },
    });
  }
}

function present(team: {
  id: string;
  name: string;
  auto_assign: boolean;
  hours: ConsoleTeam['hours'];
  agent_ids: string[];
}): ConsoleTeam {
  return { id: team.id, name: team.name, auto_assign: team.auto_assign, hours: team.hours, agent_ids: team.agent_ids };
}

/**
 * Agents' OpenID Connect sign-in (features/sso): the provider's `sub` maps to the agent an
 * operator linked it to (`confide agent create --oidc-subject`); there is
 * no automatic provisioning. The session is an ordinary agent session (same cookie, same
 * LiveSessions re-check) that also keeps the provider's refresh token sealed, so an agent
 * disabled at the provider loses their sessions at the next re-check (SESSION_RECHECK_MS).
 */
import { PlatformError } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { appendAudit } from '../../privacy/audit-log.js';
import { SsoSignIn, type SsoClient, type SsoSignInSpec } from '../sso/index.js';
import { announceSessionsEnded } from '../../bus/session-revoked.js';
import { AGENT_COLUMNS } from './agent-columns.js';
import type { Agent, AgentSessionGrant } from './agents.js';

/** The inbox's part of single sign-on: agents, their sessions, their page in the audit log. */
const AGENTS: SsoSignInSpec<Agent, AgentSessionGrant> = {
  surface: 'agents',
  sessions: { table: 'agent_sessions', owner: 'agent_id' },
  findBySubject: (ctx, subject) =>
    ctx.storage.db
      .selectFrom('agents')
      .innerJoin('pages', 'pages.id', 'agents.page_id')
      .leftJoin('inbox_teams', 'inbox_teams.id', 'agents.team_id')
      .select(AGENT_COLUMNS)
      .where('agents.oidc_subject', '=', subject)
      .executeTakeFirst(),
  actor: (id) => `agent:${id}`,
  target: (agent) => agent.page_id,
  grant: (agent, sessionToken, expiresAt) => ({ agent, sessionToken, expiresAt }),
  // The agent's open inbox sockets close (4401) on every process.
  onEnded: (ctx, tx, agentId) => announceSessionsEnded(tx, ctx.bus, 'agent', agentId),
};

export class AgentSso extends SsoSignIn<Agent, AgentSessionGrant> {
  /** The agents' single sign-on, or undefined when OIDC_AGENTS_ISSUER is not set. */
  static for(ctx: HubContext): AgentSso | undefined {
    const client = SsoSignIn.clientFor(ctx, 'agents');
    return client === undefined ? undefined : new AgentSso(ctx, client);
  }

  constructor(ctx: HubContext, client: SsoClient) {
    super(ctx, client, AGENTS);
  }
}

/**
 * Links (or with null unlinks) the provider subject to an agent, by username (`confide agent create --oidc-subject`);
 * audited. Works whether or not single sign-on is switched on.
 * @throws PlatformError `NOT_FOUND` for an unknown agent, `BAD_REQUEST` when another agent has the subject.
 */
export async function linkAgentSubject(
  ctx: HubContext,
  username: string,
  subject: string | null,
  actor: string,
): Promise<void> {
  if (subject !== null && (subject.length === 0 || subject.length > 255))
    throw new PlatformError('BAD_REQUEST', { message: 'An OIDC subject is 1–255 characters.' });
  await ctx.storage.writes.run(async ({ db }) => {
    const agent = await db
      .selectFrom('agents')
      .select(['id', 'page_id'])
      .where('username', '=', username.toLowerCase())
      .executeTakeFirst();
    if (agent === undefined) throw new PlatformError('NOT_FOUND', { message: `No agent ${username}` });
    if (subject !== null) await assertAgentSubjectFree(db, subject, agent.id);
    await db.updateTable('agents').set({ oidc_subject: subject }).where('id', '=', agent.id).execute();
    await appendAudit(db, {
      at: ctx.now(),
      actor,
      action: 'sso.linked',
      target: agent.id,
      details: { surface: 'agents', linked: subject !== null },
    });
  });
}

/**
 * @throws PlatformError `BAD_REQUEST` when an agent other than `agentId` has the subject (checked before
 *   `confide agent create --oidc-subject` creates anyone).
 */
export async function assertAgentSubjectFree(
  db: HubContext['storage']['db'],
  subject: string,
  agentId?: string,
): Promise<void> {
  const taken = await db.selectFrom('agents').select('id').where('oidc_subject', '=', subject).executeTakeFirst();
  if (taken !== undefined && taken.id !== agentId)
    throw new PlatformError('BAD_REQUEST', { message: 'That OIDC subject is linked to another agent.' });
}

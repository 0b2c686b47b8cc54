/**
 * Agents' OpenID Connect sign-in (features/sso): the provider's `sub` maps to the agent an
 * operator linked it to (`confide agent create --oidc-subject`); there is
 * no automatic provisioning. The session is an ordinary agent session (same cookie, same
 * LiveSessions re-check) that also keeps the provider's refresh token sealed, so an agent
 * disabled at the provider loses their sessions at the next re-check (SESSION_RECHECK_MS).
 */
import { PlatformError } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { randomSecret, sha256Hex } from '../../crypto/tokens.js';
import { appendAudit } from '../../privacy/audit-log.js';
import {
  auditRefusal,
  recheckSsoSessions,
  sealRefresh,
  SsoClient,
  SsoError,
  ssoSettings,
  type SsoIdentity,
  type SsoRecheckDeps,
  type SsoSessionStore,
} from '../sso/index.js';
import { announceSessionsEnded } from '../../bus/session-revoked.js';
import { AGENT_COLUMNS } from './agent-columns.js';
import type { AgentSessionGrant } from './agents.js';

export class AgentSso {
  readonly client: SsoClient;
  readonly #ctx: HubContext;
  readonly #recheck: SsoRecheckDeps;

  /** The agents' single sign-on, or undefined when OIDC_AGENTS_ISSUER is not set. */
  static for(ctx: HubContext): AgentSso | undefined {
    const settings = ssoSettings(ctx.config, 'agents');
    return settings === undefined ? undefined : new AgentSso(ctx, new SsoClient(settings, ctx.secrets, ctx.now));
  }

  constructor(ctx: HubContext, client: SsoClient) {
    this.#ctx = ctx;
    this.client = client;
    this.#recheck = {
      client,
      secrets: ctx.secrets,
      store: agentSessionStore(ctx),
      log: ctx.log,
      now: ctx.now,
      everyMs: ctx.config.SESSION_RECHECK_MS,
    };
  }

  /**
   * Opens an agent session for the provider's identity; audited.
   * @throws SsoError `unknown_subject` when no agent is linked to it.
   */
  async signIn(identity: SsoIdentity): Promise<AgentSessionGrant> {
    const agent = await this.#ctx.storage.db
      .selectFrom('agents')
      .innerJoin('pages', 'pages.id', 'agents.page_id')
      .leftJoin('inbox_teams', 'inbox_teams.id', 'agents.team_id')
      .select(AGENT_COLUMNS)
      .where('agents.oidc_subject', '=', identity.subject)
      .executeTakeFirst();
    if (agent === undefined) throw new SsoError('unknown_subject');
    const now = this.#ctx.now();
    const sessionToken = randomSecret(32);
    const idHash = sha256Hex(sessionToken);
    const expiresAt = now + this.#ctx.config.SESSION_TTL_HOURS * 3_600_000;
    const refresh = identity.refreshToken;
    await this.#ctx.storage.writes.run(async ({ db }) => {
      await db
        .insertInto('agent_sessions')
        .values({
          id_hash: idHash,
          agent_id: agent.id,
          created_at: now,
          expires_at: expiresAt,
          sso_refresh: refresh === null ? null : sealRefresh(this.client, this.#ctx.secrets, idHash, refresh),
          sso_checked_at: now,
        })
        .execute();
      await appendAudit(db, {
        at: now,
        actor: `agent:${agent.id}`,
        action: 'sso.signed_in',
        target: agent.page_id,
        details: { surface: 'agents', rechecked: refresh !== null },
      });
    });
    return { agent, sessionToken, expiresAt };
  }

  /** Audits a refused callback (nothing else is written). */
  refused(error: SsoError): Promise<void> {
    return auditRefusal(this.#ctx, 'agents', error);
  }

  /** Re-checks the due provider sessions among `idHashes` with the provider; returns those that ended. */
  ended(idHashes: string[]): Promise<Set<string>> {
    return recheckSsoSessions(this.#recheck, idHashes);
  }
}

/** The provider sessions in `agent_sessions`. */
function agentSessionStore(ctx: HubContext): SsoSessionStore {
  return {
    async due(idHashes, dueBefore) {
      const rows = await ctx.storage.db
        .selectFrom('agent_sessions')
        .select(['id_hash', 'sso_refresh', 'sso_checked_at'])
        .where('id_hash', 'in', idHashes)
        .where('sso_refresh', 'is not', null)
        .where((eb) => eb.or([eb('sso_checked_at', 'is', null), eb('sso_checked_at', '<=', dueBefore)]))
        .execute();
      return rows.map((r) => ({
        idHash: r.id_hash,
        sealedRefresh: r.sso_refresh as string,
        checkedAt: r.sso_checked_at,
      }));
    },
    async claim(row, now) {
      const result = await ctx.storage.writes.run(({ db }) =>
        db
          .updateTable('agent_sessions')
          .set({ sso_checked_at: now })
          .where('id_hash', '=', row.idHash)
          .where((eb) =>
            row.checkedAt === null ? eb('sso_checked_at', 'is', null) : eb('sso_checked_at', '=', row.checkedAt),
          )
          .executeTakeFirst(),
      );
      return result.numUpdatedRows === 1n;
    },
    async save(idHash, sealedRefresh) {
      await ctx.storage.writes.run(({ db }) =>
        db.updateTable('agent_sessions').set({ sso_refresh: sealedRefresh }).where('id_hash', '=', idHash).execute(),
      );
    },
    async end(idHash) {
      await ctx.storage.writes.run(async (tx) => {
        const gone = await tx.db
          .deleteFrom('agent_sessions')
          .where('id_hash', '=', idHash)
          .returning('agent_id')
          .executeTakeFirst();
        if (gone === undefined) return;
        announceSessionsEnded(tx, ctx.bus, 'agent', gone.agent_id);
        await appendAudit(tx.db, {
          at: ctx.now(),
          actor: `agent:${gone.agent_id}`,
          action: 'sso.session_ended',
          details: { surface: 'agents', reason: 'provider_refused' },
        });
      });
    },
  };
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

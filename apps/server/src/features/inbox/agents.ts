/**
 * Human agents of a page: created by the operator (`confide agent create`), each with a
 * persona of the page that their replies go out under; log in with sessions of their own
 * (a separate cookie from customers), rate limited like customer logins.
 */
import { CredentialsBodySchema, PlatformError, type CredentialsBody } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { newId, randomScopedId, randomSecret, sha256Hex } from '../../crypto/tokens.js';
import { LoginGuard } from '../customers/login-guard.js';
import { argon2Passwords, type PasswordHasher } from '../customers/passwords.js';
import { announceSessionsEnded } from '../../bus/session-revoked.js';
import { AGENT_COLUMNS } from './agent-columns.js';
import { AgentSso } from './agent-sso.js';

/** An agent as the inbox presents it (never the password hash). */
export interface Agent {
  id: string;
  page_id: string;
  username: string;
  display_name: string;
  persona_id: string;
  page_name: string;
  team_id: string | null;
  team_name: string | null;
  role: string;
  status: string;
  capacity: number;
}

export interface CreateAgentInput {
  pageId: string;
  username: string;
  password: string;
  displayName?: string | undefined;
  /** A team of the page, by name. */
  team?: string | undefined;
  role?: 'agent' | 'supervisor' | undefined;
  capacity?: number | undefined;
}

export interface AgentSessionGrant {
  agent: Agent;
  /** The raw session secret for the cookie; only its hash is stored. */
  sessionToken: string;
  expiresAt: number;
}

export class Agents {
  readonly #guard: LoginGuard;
  readonly #passwords: PasswordHasher;
  private readonly ctx: HubContext;
  /** OpenID Connect sign-in (features/sso), when OIDC_AGENTS_ISSUER is set. */
  readonly sso: AgentSso | undefined;
  constructor(ctx: HubContext, passwords: PasswordHasher = argon2Passwords) {
    this.ctx = ctx;
    this.sso = AgentSso.for(ctx);
    this.#passwords = passwords;
    // Agents' attempts are counted apart from customers' (another scope), with the same limit.
    this.#guard = new LoginGuard(ctx, 'agent', passwords);
  }

  /**
   * Creates an agent of `pageId` and the persona they reply under, in one transaction.
   * @throws PlatformError `NOT_FOUND` for an unknown page, `USERNAME_TAKEN` for a used agent username.
   */
  async create(input: CreateAgentInput): Promise<Agent> {
    const valid = CredentialsBodySchema.safeParse({ username: input.username, password: input.password });
    if (!valid.success) {
      throw new PlatformError('BAD_REQUEST', {
        message: 'Usernames are 3–32 letters, digits, dots, dashes or underscores; passwords at least 8 characters.',
      });
    }
    const username = input.username.toLowerCase();
    const displayName = (input.displayName ?? input.username).trim() || username;
    const passwordHash = await this.#passwords.hash(input.password);
    const now = this.ctx.now();
    const capacity = input.capacity ?? 3;
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 50)
      throw new PlatformError('BAD_REQUEST', { message: 'Capacity is 1–50 conversations.' });
    const role = input.role ?? 'agent';
    const row = {
      id: newId('ag'),
      page_id: input.pageId,
      username,
      display_name: displayName,
      persona_id: randomScopedId(),
    };
    return this.ctx.storage.writes.run(async ({ db }) => {
      const page = await db.selectFrom('pages').select('name').where('id', '=', input.pageId).executeTakeFirst();
      if (page === undefined) throw new PlatformError('NOT_FOUND', { message: `No page ${input.pageId}` });
      const taken = await db.selectFrom('agents').select('id').where('username', '=', username).executeTakeFirst();
      if (taken !== undefined) throw new PlatformError('USERNAME_TAKEN');
      const team =
        input.team === undefined
          ? undefined
          : await db
              .selectFrom('inbox_teams')
              .select(['id', 'name'])
              .where('page_id', '=', input.pageId)
              .where('name', '=', input.team)
              .executeTakeFirst();
      if (input.team !== undefined && team === undefined)
        throw new PlatformError('NOT_FOUND', { message: `No team ${input.team} on this page` });
      await db
        .insertInto('personas')
        .values({
          id: row.persona_id,
          page_id: row.page_id,
          name: displayName,
          profile_picture_url: '',
          created_at: now,
          deleted_at: null,
        })
        .execute();
      await db
        .insertInto('agents')
        .values({ ...row, password_hash: passwordHash, created_at: now, team_id: team?.id ?? null, role, capacity })
        .execute();
      return {
        ...row,
        page_name: page.name,
        team_id: team?.id ?? null,
        team_name: team?.name ?? null,
        role,
        status: 'offline',
        capacity,
      };
    });
  }

  /** Logs in; rate limited per agent and per IP (customers/login-guard.ts), same answer for an unknown agent and a wrong password. */
  async logIn({ username, password }: CredentialsBody, ip: string): Promise<AgentSessionGrant> {
    const row = await this.ctx.storage.db
      .selectFrom('agents')
      .innerJoin('pages', 'pages.id', 'agents.page_id')
      .leftJoin('inbox_teams', 'inbox_teams.id', 'agents.team_id')
      .select([...AGENT_COLUMNS, 'agents.password_hash'])
      .where('agents.username', '=', username.toLowerCase())
      .executeTakeFirst();
    const ok = await this.#guard.check({ account: username, ip, storedHash: row?.password_hash, password });
    if (row === undefined || !ok) throw new PlatformError('INVALID_CREDENTIALS');
    const { password_hash: _hash, ...agent } = row;
    const now = this.ctx.now();
    const sessionToken = randomSecret(32);
    const expiresAt = now + this.ctx.config.SESSION_TTL_HOURS * 3_600_000;
    await this.ctx.storage.writes.run(({ db }) =>
      db
        .insertInto('agent_sessions')
        .values({ id_hash: sha256Hex(sessionToken), agent_id: agent.id, created_at: now, expires_at: expiresAt })
        .execute(),
    );
    return { agent, sessionToken, expiresAt };
  }

  /** The agent behind a session token, or undefined when unknown, expired or refused by the provider on its re-check. */
  async authenticate(sessionToken: string): Promise<Agent | undefined> {
    const agent = await this.ctx.storage.db
      .selectFrom('agent_sessions')
      .innerJoin('agents', 'agents.id', 'agent_sessions.agent_id')
      .innerJoin('pages', 'pages.id', 'agents.page_id')
      .leftJoin('inbox_teams', 'inbox_teams.id', 'agents.team_id')
      .select(AGENT_COLUMNS)
      .where('agent_sessions.id_hash', '=', sha256Hex(sessionToken))
      .where('agent_sessions.expires_at', '>', this.ctx.now())
      .executeTakeFirst();
    if (agent === undefined || this.sso === undefined) return agent;
    return (await this.sso.ended([sha256Hex(sessionToken)])).size > 0 ? undefined : agent;
  }

  /** Which of these stored session ids are still valid (the inbox stream's re-check). */
  async liveSessions(idHashes: string[]): Promise<Set<string>> {
    if (idHashes.length === 0) return new Set();
    const rows = await this.ctx.storage.db
      .selectFrom('agent_sessions')
      .select('id_hash')
      .where('id_hash', 'in', idHashes)
      .where('expires_at', '>', this.ctx.now())
      .execute();
    const alive = new Set(rows.map((r) => r.id_hash));
    // Single sign-on sessions the provider no longer confirms end here too.
    if (this.sso !== undefined) for (const ended of await this.sso.ended([...alive])) alive.delete(ended);
    return alive;
  }

  /** Ends the session; its open inbox streams, on every hub process, are closed. */
  async logOut(sessionToken: string): Promise<void> {
    await this.ctx.storage.writes.run(async (tx) => {
      const gone = await tx.db
        .deleteFrom('agent_sessions')
        .where('id_hash', '=', sha256Hex(sessionToken))
        .returning('agent_id')
        .executeTakeFirst();
      if (gone !== undefined) announceSessionsEnded(tx, this.ctx.bus, 'agent', gone.agent_id);
    });
  }
}

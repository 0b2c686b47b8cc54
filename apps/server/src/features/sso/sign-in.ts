/**
 * One surface's single sign-on, shared by the inbox's agents and the console's members: the
 * provider's `sub` maps to whoever an operator (or a console owner) linked it to; nobody is
 * created automatically. The session is the surface's ordinary session row that also keeps the
 * provider's refresh token sealed, so someone disabled at the provider is signed out at the next
 * re-check (SESSION_RECHECK_MS). A surface gives three things: its session table, how a subject
 * is looked up, and how it names people in the audit log.
 */
import type { HubContext } from '../../context.js';
import { randomSecret, sha256Hex } from '../../crypto/tokens.js';
import { appendAudit } from '../../privacy/audit-log.js';
import type { WriteTx } from '../../storage/write-queue.js';
import { auditRefusal } from './audit.js';
import { SsoError } from './errors.js';
import { SsoClient, type SsoIdentity } from './oidc-client.js';
import { recheckSsoSessions, sealRefresh, type SsoRecheckDeps, type SsoSessionStore } from './recheck.js';
import { ssoSettings, type SsoSurface } from './settings.js';

/**
 * Where a surface keeps its sessions. Both tables have `id_hash`, `created_at`, `expires_at`,
 * `sso_refresh` and `sso_checked_at`, and name the session's owner in `owner`.
 */
export type SsoSessionTable =
  { table: 'agent_sessions'; owner: 'agent_id' } | { table: 'org_sessions'; owner: 'member_id' };

export interface SsoSignInSpec<Who extends { id: string }, Grant> {
  surface: SsoSurface;
  sessions: SsoSessionTable;
  /** Whoever the provider's subject is linked to, if anyone. */
  findBySubject(ctx: HubContext, subject: string): Promise<Who | undefined>;
  /** The audit actor of a session owner (`agent:…`, `member:…`). */
  actor(ownerId: string): string;
  /** The audit target of a sign-in (the agent's page, the member's organisation). */
  target(who: Who): string;
  /** What the surface's sign-in answers (its usual session grant). */
  grant(who: Who, sessionToken: string, expiresAt: number): Grant;
  /** Runs in the transaction that ends a session the provider refused (the inbox closes live sockets). */
  onEnded?(ctx: HubContext, tx: WriteTx, ownerId: string): void;
}

export class SsoSignIn<Who extends { id: string }, Grant> {
  readonly client: SsoClient;
  readonly #ctx: HubContext;
  readonly #spec: SsoSignInSpec<Who, Grant>;
  readonly #recheck: SsoRecheckDeps;

  /** The surface's OIDC client, or undefined when its issuer (OIDC_AGENTS_ISSUER / OIDC_CONSOLE_ISSUER) is not set. */
  static clientFor(ctx: HubContext, surface: SsoSurface): SsoClient | undefined {
    const settings = ssoSettings(ctx.config, surface);
    return settings === undefined ? undefined : new SsoClient(settings, ctx.secrets, ctx.now);
  }

  constructor(ctx: HubContext, client: SsoClient, spec: SsoSignInSpec<Who, Grant>) {
    this.#ctx = ctx;
    this.client = client;
    this.#spec = spec;
    this.#recheck = {
      client,
      secrets: ctx.secrets,
      store: sessionStore(ctx, spec),
      log: ctx.log,
      now: ctx.now,
      everyMs: ctx.config.SESSION_RECHECK_MS,
    };
  }

  /**
   * Opens a session for the provider's identity; audited like a password sign-in.
   * @throws SsoError `unknown_subject` when nobody is linked to it.
   */
  async signIn(identity: SsoIdentity): Promise<Grant> {
    const spec = this.#spec;
    const who = await spec.findBySubject(this.#ctx, identity.subject);
    if (who === undefined) throw new SsoError('unknown_subject');
    const now = this.#ctx.now();
    const sessionToken = randomSecret(32);
    const idHash = sha256Hex(sessionToken);
    const expiresAt = now + this.#ctx.config.SESSION_TTL_HOURS * 3_600_000;
    const refresh = identity.refreshToken;
    const { table, owner } = narrow(spec.sessions);
    await this.#ctx.storage.writes.run(async ({ db }) => {
      await db
        .insertInto(table)
        .values({
          id_hash: idHash,
          [owner]: who.id,
          created_at: now,
          expires_at: expiresAt,
          sso_refresh: refresh === null ? null : sealRefresh(this.client, this.#ctx.secrets, idHash, refresh),
          sso_checked_at: now,
        } as { id_hash: string; agent_id: string; created_at: number; expires_at: number })
        .execute();
      await appendAudit(db, {
        at: now,
        actor: spec.actor(who.id),
        action: 'sso.signed_in',
        target: spec.target(who),
        details: { surface: spec.surface, rechecked: refresh !== null },
      });
    });
    return spec.grant(who, sessionToken, expiresAt);
  }

  /** Audits a refused callback (nothing else is written). */
  refused(error: SsoError): Promise<void> {
    return auditRefusal(this.#ctx, this.#spec.surface, error);
  }

  /** Re-checks the due provider sessions among `idHashes` with the provider; returns those that ended. */
  ended(idHashes: string[]): Promise<Set<string>> {
    return recheckSsoSessions(this.#recheck, idHashes);
  }
}

/**
 * Kysely needs one table type to check a query; both session tables have every column used here,
 * so the queries are typed against `agent_sessions` and run on the surface's own table.
 */
const narrow = (sessions: SsoSessionTable) => sessions as { table: 'agent_sessions'; owner: 'agent_id' };

/** The provider sessions in the surface's session table. */
function sessionStore<Who extends { id: string }, Grant>(
  ctx: HubContext,
  spec: SsoSignInSpec<Who, Grant>,
): SsoSessionStore {
  const { table, owner } = narrow(spec.sessions);
  return {
    async due(idHashes, dueBefore) {
      const rows = await ctx.storage.db
        .selectFrom(table)
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
          .updateTable(table)
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
        db.updateTable(table).set({ sso_refresh: sealedRefresh }).where('id_hash', '=', idHash).execute(),
      );
    },
    async end(idHash) {
      await ctx.storage.writes.run(async (tx) => {
        const gone = await tx.db.deleteFrom(table).where('id_hash', '=', idHash).returning(owner).executeTakeFirst();
        if (gone === undefined) return;
        const ownerId = gone[owner];
        spec.onEnded?.(ctx, tx, ownerId);
        await appendAudit(tx.db, {
          at: ctx.now(),
          actor: spec.actor(ownerId),
          action: 'sso.session_ended',
          details: { surface: spec.surface, reason: 'provider_refused' },
        });
      });
    },
  };
}

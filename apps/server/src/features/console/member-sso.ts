/**
 * Console members' OpenID Connect sign-in (features/sso): the provider's `sub` maps to the
 * member an operator (`confide org create --oidc-subject`) or their
 * organisation's owner (`PUT /console/api/members/{id}/sso`) linked it to; nobody is created
 * automatically. The session is an ordinary console session that keeps the provider's refresh
 * token sealed; a member disabled at the provider is signed out at the next request after the
 * re-check interval (SESSION_RECHECK_MS).
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
import { assertCan } from './access.js';
import { MEMBER_COLUMNS } from './member-columns.js';
import type { Member, MemberSessionGrant } from './members.js';

export class MemberSso {
  readonly client: SsoClient;
  readonly #ctx: HubContext;
  readonly #recheck: SsoRecheckDeps;

  /** The console's single sign-on, or undefined when OIDC_CONSOLE_ISSUER is not set. */
  static for(ctx: HubContext): MemberSso | undefined {
    const settings = ssoSettings(ctx.config, 'console');
    return settings === undefined ? undefined : new MemberSso(ctx, new SsoClient(settings, ctx.secrets, ctx.now));
  }

  constructor(ctx: HubContext, client: SsoClient) {
    this.#ctx = ctx;
    this.client = client;
    this.#recheck = {
      client,
      secrets: ctx.secrets,
      store: memberSessionStore(ctx),
      log: ctx.log,
      now: ctx.now,
      everyMs: ctx.config.SESSION_RECHECK_MS,
    };
  }

  /**
   * Opens a console session for the provider's identity; audited like a password sign-in.
   * @throws SsoError `unknown_subject` when no member is linked to it.
   */
  async signIn(identity: SsoIdentity): Promise<MemberSessionGrant> {
    const member = await this.#ctx.storage.db
      .selectFrom('org_members')
      .innerJoin('organisations', 'organisations.id', 'org_members.org_id')
      .select(MEMBER_COLUMNS)
      .where('org_members.oidc_subject', '=', identity.subject)
      .executeTakeFirst();
    if (member === undefined) throw new SsoError('unknown_subject');
    const now = this.#ctx.now();
    const sessionToken = randomSecret(32);
    const idHash = sha256Hex(sessionToken);
    const expiresAt = now + this.#ctx.config.SESSION_TTL_HOURS * 3_600_000;
    const refresh = identity.refreshToken;
    await this.#ctx.storage.writes.run(async ({ db }) => {
      await db
        .insertInto('org_sessions')
        .values({
          id_hash: idHash,
          member_id: member.id,
          created_at: now,
          expires_at: expiresAt,
          sso_refresh: refresh === null ? null : sealRefresh(this.client, this.#ctx.secrets, idHash, refresh),
          sso_checked_at: now,
        })
        .execute();
      await appendAudit(db, {
        at: now,
        actor: `member:${member.id}`,
        action: 'sso.signed_in',
        target: member.org_id,
        details: { surface: 'console', rechecked: refresh !== null },
      });
    });
    return { member, sessionToken, expiresAt };
  }

  /** Audits a refused callback (nothing else is written). */
  refused(error: SsoError): Promise<void> {
    return auditRefusal(this.#ctx, 'console', error);
  }

  /** Re-checks the due provider sessions among `idHashes` with the provider; returns those that ended. */
  ended(idHashes: string[]): Promise<Set<string>> {
    return recheckSsoSessions(this.#recheck, idHashes);
  }

  /**
   * Links (or with null unlinks) a provider subject to a member of the owner's organisation; audited.
   * @throws PlatformError `FORBIDDEN` for a non-owner, `NOT_FOUND` for a member of another organisation,
   *   `BAD_REQUEST` when another member has the subject.
   */
  async linkByOwner(owner: Member, memberId: string, subject: string | null): Promise<void> {
    assertCan(owner.role, 'members.invite');
    await linkMemberSubject(this.#ctx, { memberId, orgId: owner.org_id }, subject, `member:${owner.id}`);
  }
}

/** The provider sessions in `org_sessions`. */
function memberSessionStore(ctx: HubContext): SsoSessionStore {
  return {
    async due(idHashes, dueBefore) {
      const rows = await ctx.storage.db
        .selectFrom('org_sessions')
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
          .updateTable('org_sessions')
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
        db.updateTable('org_sessions').set({ sso_refresh: sealedRefresh }).where('id_hash', '=', idHash).execute(),
      );
    },
    async end(idHash) {
      await ctx.storage.writes.run(async ({ db }) => {
        const gone = await db
          .deleteFrom('org_sessions')
          .where('id_hash', '=', idHash)
          .returning('member_id')
          .executeTakeFirst();
        if (gone === undefined) return;
        await appendAudit(db, {
          at: ctx.now(),
          actor: `member:${gone.member_id}`,
          action: 'sso.session_ended',
          details: { surface: 'console', reason: 'provider_refused' },
        });
      });
    },
  };
}

/**
 * Links (or with null unlinks) a provider subject to a member: of an organisation (the owner's console action) or by
 * username (`confide org create --oidc-subject`); audited. Works whether or not single sign-on is switched on.
 */
export async function linkMemberSubject(
  ctx: HubContext,
  who: { memberId: string; orgId: string } | { username: string },
  subject: string | null,
  actor: string,
): Promise<void> {
  if (subject !== null && (subject.length === 0 || subject.length > 255))
    throw new PlatformError('BAD_REQUEST', { message: 'An OIDC subject is 1–255 characters.' });
  await ctx.storage.writes.run(async ({ db }) => {
    let query = db.selectFrom('org_members').select(['id', 'org_id']);
    query =
      'username' in who
        ? query.where('username', '=', who.username)
        : query.where('id', '=', who.memberId).where('org_id', '=', who.orgId);
    const member = await query.executeTakeFirst();
    if (member === undefined) throw new PlatformError('NOT_FOUND', { message: 'No such member' });
    if (subject !== null) {
      const taken = await db
        .selectFrom('org_members')
        .select('id')
        .where('oidc_subject', '=', subject)
        .executeTakeFirst();
      if (taken !== undefined && taken.id !== member.id)
        throw new PlatformError('BAD_REQUEST', { message: 'That OIDC subject is linked to another member.' });
    }
    await db.updateTable('org_members').set({ oidc_subject: subject }).where('id', '=', member.id).execute();
    await appendAudit(db, {
      at: ctx.now(),
      actor,
      action: 'sso.linked',
      target: member.id,
      details: { surface: 'console', linked: subject !== null },
    });
  });
}

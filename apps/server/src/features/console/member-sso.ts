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
import { appendAudit } from '../../privacy/audit-log.js';
import { SsoSignIn, type SsoClient, type SsoSignInSpec } from '../sso/index.js';
import { assertCan } from './access.js';
import { MEMBER_COLUMNS } from './member-columns.js';
import type { Member, MemberSessionGrant } from './members.js';

/** The console's part of single sign-on: members, their sessions, their organisation in the audit log. */
const MEMBERS: SsoSignInSpec<Member, MemberSessionGrant> = {
  surface: 'console',
  sessions: { table: 'org_sessions', owner: 'member_id' },
  findBySubject: (ctx, subject) =>
    ctx.storage.db
      .selectFrom('org_members')
      .innerJoin('organisations', 'organisations.id', 'org_members.org_id')
      .select(MEMBER_COLUMNS)
      .where('org_members.oidc_subject', '=', subject)
      .executeTakeFirst(),
  actor: (id) => `member:${id}`,
  target: (member) => member.org_id,
  grant: (member, sessionToken, expiresAt) => ({ member, sessionToken, expiresAt }),
};

export class MemberSso extends SsoSignIn<Member, MemberSessionGrant> {
  readonly #ctx: HubContext;

  /** The console's single sign-on, or undefined when OIDC_CONSOLE_ISSUER is not set. */
  static for(ctx: HubContext): MemberSso | undefined {
    const client = SsoSignIn.clientFor(ctx, 'console');
    return client === undefined ? undefined : new MemberSso(ctx, client);
  }

  constructor(ctx: HubContext, client: SsoClient) {
    super(ctx, client, MEMBERS);
    this.#ctx = ctx;
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

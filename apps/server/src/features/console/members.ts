/**
 * Organisations and their members: created by the operator (`confide org create`) or by
 * self-service sign-up (CONSOLE_SIGNUP); members join through one-time invite codes and
 * sign in with sessions of their own (argon2id, rate limited by the login guard under the
 * `business` scope). Every change is recorded in the audit log.
 */
import { PlatformError, type CredentialsBody, type OrgRole } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { newId, randomSecret, sha256Hex } from '../../crypto/tokens.js';
import type { Privacy } from '../../privacy/privacy.js';
import { LoginGuard } from '../customers/login-guard.js';
import { argon2Passwords, type PasswordHasher } from '../customers/passwords.js';
import { assertCan } from './access.js';
import { MEMBER_COLUMNS } from './member-columns.js';
import { MemberSso } from './member-sso.js';

/** A signed-in member as the use cases see them (never the password hash). */
export interface Member {
  id: string;
  org_id: string;
  org_name: string;
  username: string;
  role: OrgRole;
  created_at: number;
}

export interface MemberSessionGrant {
  member: Member;
  /** The raw session secret for the cookie; only its hash is stored. */
  sessionToken: string;
  expiresAt: number;
}

/** How long an invite code can be used. */
export const INVITE_TTL_MS = 72 * 3_600_000;

export class ConsoleMembers {
  readonly #ctx: HubContext;
  readonly #privacy: Privacy;
  readonly #passwords: PasswordHasher;
  readonly #guard: LoginGuard;
  /** OpenID Connect sign-in (features/sso), when OIDC_CONSOLE_ISSUER is set. */
  readonly sso: MemberSso | undefined;

  constructor(ctx: HubContext, privacy: Privacy, passwords: PasswordHasher = argon2Passwords) {
    this.#ctx = ctx;
    this.sso = MemberSso.for(ctx);
    this.#privacy = privacy;
    this.#passwords = passwords;
    this.#guard = new LoginGuard(ctx, 'business', passwords);
  }

  /**
   * Creates an organisation and its owner in one transaction.
   * @param actor who asked: `operator` (the CLI) or `signup`.
   * @throws PlatformError `USERNAME_TAKEN` when a member already has that username.
   */
  async createOrganisation(
    input: { name: string; username: string; password: string },
    actor: string,
  ): Promise<Member> {
    const passwordHash = await this.#passwords.hash(input.password);
    const now = this.#ctx.now();
    const org = { id: newId('org', 9), name: input.name.trim(), created_at: now };
    const member: Member = {
      id: newId('mem', 9),
      org_id: org.id,
      org_name: org.name,
      username: input.username.toLowerCase(),
      role: 'owner',
      created_at: now,
    };
    await this.#ctx.storage.writes.run(async ({ db }) => {
      await assertUsernameFree(db, member.username);
      await db.insertInto('organisations').values(org).execute();
      await db
        .insertInto('org_members')
        .values({
          id: member.id,
          org_id: org.id,
          username: member.username,
          password_hash: passwordHash,
          role: 'owner',
          created_at: now,
        })
        .execute();
    });
    await this.#privacy.record({ actor, action: 'console.org_created', target: org.id, details: { owner: member.id } });
    return member;
  }

  /** Signs in; the same answer for an unknown member and a wrong password; rate limited per member and IP. */
  async logIn({ username, password }: CredentialsBody, ip: string): Promise<MemberSessionGrant> {
    const row = await this.#memberQuery()
      .select('org_members.password_hash')
      .where('org_members.username', '=', username.toLowerCase())
      .executeTakeFirst();
    const ok = await this.#guard.check({ account: username, ip, storedHash: row?.password_hash, password });
    if (row === undefined || !ok) throw new PlatformError('INVALID_CREDENTIALS');
    const { password_hash: _hash, ...member } = row;
    const now = this.#ctx.now();
    const sessionToken = randomSecret(32);
    const expiresAt = now + this.#ctx.config.SESSION_TTL_HOURS * 3_600_000;
    await this.#ctx.storage.writes.run(({ db }) =>
      db
        .insertInto('org_sessions')
        .values({ id_hash: sha256Hex(sessionToken), member_id: member.id, created_at: now, expires_at: expiresAt })
        .execute(),
    );
    await this.#privacy.record({ actor: `member:${member.id}`, action: 'console.signed_in', target: member.org_id });
    return { member, sessionToken, expiresAt };
  }

  /** The member behind a session token, or undefined when unknown, expired or refused by the provider on its re-check. */
  async authenticate(sessionToken: string): Promise<Member | undefined> {
    const member = await this.#ctx.storage.db
      .selectFrom('org_sessions')
      .innerJoin('org_members', 'org_members.id', 'org_sessions.member_id')
      .innerJoin('organisations', 'organisations.id', 'org_members.org_id')
      .select(MEMBER_COLUMNS)
      .where('org_sessions.id_hash', '=', sha256Hex(sessionToken))
      .where('org_sessions.expires_at', '>', this.#ctx.now())
      .executeTakeFirst();
    if (member === undefined || this.sso === undefined) return member;
    return (await this.sso.ended([sha256Hex(sessionToken)])).size > 0 ? undefined : member;
  }

  async logOut(member: Member, sessionToken: string): Promise<void> {
    await this.#ctx.storage.writes.run(({ db }) =>
      db.deleteFrom('org_sessions').where('id_hash', '=', sha256Hex(sessionToken)).execute(),
    );
    await this.#privacy.record({ actor: `member:${member.id}`, action: 'console.signed_out', target: member.org_id });
  }

  /**
   * Re-authentication before a sensitive action (revealing or rotating a secret): the
   * member's password, checked under the same limit as their sign-ins.
   * @throws PlatformError `INVALID_CREDENTIALS`, or `TOO_MANY_REQUESTS` when the limit is reached.
   */
  async confirmPassword(member: Member, password: string, ip: string): Promise<void> {
    const row = await this.#ctx.storage.db
      .selectFrom('org_members')
      .select('password_hash')
      .where('id', '=', member.id)
      .executeTakeFirst();
    const ok = await this.#guard.check({ account: member.username, ip, storedHash: row?.password_hash, password });
    if (!ok) throw new PlatformError('INVALID_CREDENTIALS', { message: 'That password is not right.' });
  }

  /** The organisation's members, oldest first. */
  async list(member: Member): Promise<Member[]> {
    return this.#memberQuery()
      .where('org_members.org_id', '=', member.org_id)
      .orderBy('org_members.created_at')
      .orderBy('org_members.id')
      .execute();
  }

  /** An owner invites someone with a role; the one-time code is returned once (only its hash is kept). */
  async invite(
    member: Member,
    role: OrgRole,
  ): Promise<{ id: string; role: OrgRole; code: string; expires_at: number }> {
    assertCan(member.role, 'members.invite');
    const code = randomSecret(24);
    const now = this.#ctx.now();
    const invite = { id: newId('inv', 9), role, expires_at: now + INVITE_TTL_MS };
    await this.#ctx.storage.writes.run(({ db }) =>
      db
        .insertInto('org_invites')
        .values({
          ...invite,
          code_hash: sha256Hex(code),
          org_id: member.org_id,
          created_by: member.id,
          created_at: now,
          used_at: null,
          used_by: null,
        })
        .execute(),
    );
    await this.#privacy.record({
      actor: `member:${member.id}`,
      action: 'console.invite_created',
      target: invite.id,
      details: { role },
    });
    return { ...invite, code };
  }

  /**
   * Joins the invite's organisation with its role. The code is spent atomically with the
   * member's creation: a second use (even a concurrent one) is refused.
   * @throws PlatformError `BAD_REQUEST` for an unknown, used or expired code; `USERNAME_TAKEN`.
   */
  async acceptInvite(input: { code: string; username: string; password: string }): Promise<Member> {
    const passwordHash = await this.#passwords.hash(input.password);
    const now = this.#ctx.now();
    const username = input.username.toLowerCase();
    const id = newId('mem', 9);
    const codeHash = sha256Hex(input.code);
    const joined = await this.#ctx.storage.writes.run(async ({ db }) => {
      const invite = await db
        .selectFrom('org_invites')
        .selectAll()
        .where('code_hash', '=', codeHash)
        .executeTakeFirst();
      if (invite === undefined) throw new PlatformError('BAD_REQUEST', { message: 'That invite code is not valid.' });
      if (invite.used_at !== null)
        throw new PlatformError('BAD_REQUEST', { message: 'That invite code has already been used.' });
      if (invite.expires_at <= now)
        throw new PlatformError('BAD_REQUEST', { message: 'That invite code has expired. Ask for a new one.' });
      await assertUsernameFree(db, username);
      const spent = await db
        .updateTable('org_invites')
        .set({ used_at: now, used_by: id })
        .where('code_hash', '=', codeHash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (spent.numUpdatedRows !== 1n)
        throw new PlatformError('BAD_REQUEST', { message: 'That invite code has already been used.' });
      await db
        .insertInto('org_members')
        .values({
          id,
          org_id: invite.org_id,
          username,
          password_hash: passwordHash,
          role: invite.role,
          created_at: now,
        })
        .execute();
      return invite;
    });
    await this.#privacy.record({
      actor: `member:${id}`,
      action: 'console.member_joined',
      target: joined.org_id,
      details: { invite: joined.id, role: joined.role },
    });
    const member = await this.#memberQuery().where('org_members.id', '=', id).executeTakeFirstOrThrow();
    return member;
  }

  #memberQuery() {
    return this.#ctx.storage.db
      .selectFrom('org_members')
      .innerJoin('organisations', 'organisations.id', 'org_members.org_id')
      .select(MEMBER_COLUMNS);
  }
}

async function assertUsernameFree(db: HubContext['storage']['db'], username: string): Promise<void> {
  const taken = await db.selectFrom('org_members').select('id').where('username', '=', username).executeTakeFirst();
  if (taken !== undefined) throw new PlatformError('USERNAME_TAKEN');
}

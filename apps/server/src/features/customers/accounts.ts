/** Customer accounts: sign up, log in with sessions, log out, change password. */
import { PlatformError, type CredentialsBody, type Customer } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { newId, randomSecret, sha256Hex } from '../../crypto/tokens.js';
import type { SessionAuthenticator } from '../../http/customer-auth.js';
import { LoginGuard } from './login-guard.js';
import { argon2Passwords, type PasswordHasher } from './passwords.js';
import { announceSessionsEnded } from '../../bus/session-revoked.js';
import {
  deleteSession,
  findCustomerById,
  findCustomerByUsername,
  findSession,
  insertCustomer,
  insertSession,
  liveSessionIds,
  type CustomerRow,
} from './store.js';

export interface SessionGrant {
  customer: Customer;
  /** The raw session secret for the cookie; only its hash is stored. */
  sessionToken: string;
  expiresAt: number;
}

export class Accounts implements SessionAuthenticator {
  readonly #guard: LoginGuard;
  readonly #passwords: PasswordHasher;

  private readonly ctx: HubContext;
  constructor(ctx: HubContext, passwords: PasswordHasher = argon2Passwords) {
    this.ctx = ctx;
    this.#passwords = passwords;
    this.#guard = new LoginGuard(ctx, 'customer', passwords);
  }

  /** Creates a customer; `USERNAME_TAKEN` when the name exists (case-insensitive). */
  async createCustomer({ username, password }: CredentialsBody): Promise<Customer> {
    const passwordHash = await this.#passwords.hash(password);
    const row: CustomerRow = {
      id: newId('u'),
      username: username.toLowerCase(),
      password_hash: passwordHash,
      created_at: this.ctx.now(),
    };
    await this.ctx.storage.writes.run(async ({ db }) => {
      const existing = await findCustomerByUsername(db, row.username);
      if (existing !== undefined) throw new PlatformError('USERNAME_TAKEN');
      await insertCustomer(db, row);
    });
    return present(row);
  }

  async signUp(body: CredentialsBody): Promise<SessionGrant> {
    const customer = await this.createCustomer(body);
    return this.#openSession(customer);
  }

  /**
   * Logs in; rate limited per account and per IP (login-guard.ts), same answer for an unknown
   * user and a wrong password.
   * @throws PlatformError `TOO_MANY_REQUESTS` once blocked, `INVALID_CREDENTIALS`.
   */
  async logIn({ username, password }: CredentialsBody, ip: string): Promise<SessionGrant> {
    const row = await findCustomerByUsername(this.ctx.storage.db, username);
    const ok = await this.#guard.check({ account: username, ip, storedHash: row?.password_hash, password });
    if (row === undefined || !ok) throw new PlatformError('INVALID_CREDENTIALS');
    return this.#openSession(present(row));
  }

  /**
   * Confirms a logged-in customer's password before a sensitive change; counted with their
   * login attempts, so a session cannot be used to guess it.
   * @throws PlatformError `TOO_MANY_REQUESTS` once blocked, `INVALID_CREDENTIALS` for a wrong password.
   */
  async confirmPassword(customerId: string, password: string, ip: string): Promise<void> {
    const row = await findCustomerById(this.ctx.storage.db, customerId);
    if (row === undefined) throw new PlatformError('UNAUTHENTICATED');
    if (!(await this.#guard.check({ account: row.username, ip, storedHash: row.password_hash, password })))
      throw new PlatformError('INVALID_CREDENTIALS');
  }

  /** The customer behind a session token, or undefined when unknown or expired. */
  async authenticate(sessionToken: string): Promise<Customer | undefined> {
    const row = await findSession(this.ctx.storage.db, sha256Hex(sessionToken), this.ctx.now());
    return row === undefined ? undefined : { id: row.id, username: row.username, created_at: row.created_at };
  }

  /** Which of these stored session ids are still valid (the open sockets' re-check). */
  liveSessions(idHashes: string[]): Promise<Set<string>> {
    return liveSessionIds(this.ctx.storage.db, idHashes, this.ctx.now());
  }

  /** Ends the session; its open sockets, on every hub process, are closed. */
  async logOut(sessionToken: string): Promise<void> {
    await this.ctx.storage.writes.run(async (tx) => {
      const customerId = await deleteSession(tx.db, sha256Hex(sessionToken));
      if (customerId !== undefined) announceSessionsEnded(tx, this.ctx.bus, 'customer', customerId);
    });
  }

  /**
   * Changes the password after confirming the current one (rate limited with the logins);
   * ends every other session (and closes their sockets).
   */
  async changePassword(
    customerId: string,
    currentPassword: string,
    newPassword: string,
    keepSessionToken: string,
    ip: string,
  ): Promise<void> {
    await this.confirmPassword(customerId, currentPassword, ip);
    const passwordHash = await this.#passwords.hash(newPassword);
    const keep = sha256Hex(keepSessionToken);
    await this.ctx.storage.writes.run(async (tx) => {
      await tx.db.updateTable('customers').set({ password_hash: passwordHash }).where('id', '=', customerId).execute();
      await tx.db.deleteFrom('sessions').where('customer_id', '=', customerId).where('id_hash', '!=', keep).execute();
      announceSessionsEnded(tx, this.ctx.bus, 'customer', customerId);
    });
  }

  async #openSession(customer: Customer): Promise<SessionGrant> {
    const sessionToken = randomSecret(32);
    const now = this.ctx.now();
    const expiresAt = now + this.ctx.config.SESSION_TTL_HOURS * 3_600_000;
    await this.ctx.storage.writes.run(({ db }) =>
      insertSession(db, {
        id_hash: sha256Hex(sessionToken),
        customer_id: customer.id,
        created_at: now,
        expires_at: expiresAt,
      }),
    );
    return { customer, sessionToken, expiresAt };
  }
}

function present(row: CustomerRow): Customer {
  return { id: row.id, username: row.username, created_at: row.created_at };
}

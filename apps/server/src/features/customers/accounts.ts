/** Customer accounts: sign up, log in with sessions, log out, change password. */
import { PlatformError, type CredentialsBody, type Customer } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { newId, randomSecret, sha256Hex } from '../../crypto/tokens.js';
import { AttemptLimiter } from './attempt-limiter.js';
import { dummyHash, hashPassword, verifyPassword } from './passwords.js';
import { announceSessionsEnded } from '../realtime/live-sessions.js';
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

const LOGIN_WINDOW_MS = 15 * 60_000;

export interface SessionGrant {
  customer: Customer;
  /** The raw session secret for the cookie; only its hash is stored. */
  sessionToken: string;
  expiresAt: number;
}

export class Accounts {
  readonly #limiter: AttemptLimiter;

  private readonly ctx: HubContext;
  constructor(ctx: HubContext) {
    this.ctx = ctx;
    this.#limiter = new AttemptLimiter(ctx.config.LOGIN_MAX_ATTEMPTS, LOGIN_WINDOW_MS);
  }

  /** Creates a customer; `USERNAME_TAKEN` when the name exists (case-insensitive). */
  async createCustomer({ username, password }: CredentialsBody): Promise<Customer> {
    const passwordHash = await hashPassword(password);
    const row: CustomerRow = { id: newId('u'), username: username.toLowerCase(), password_hash: passwordHash, created_at: this.ctx.now() };
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

  /** Logs in; rate limited per account and per IP, same answer for unknown user and wrong password. */
  async logIn({ username, password }: CredentialsBody, ip: string): Promise<SessionGrant> {
    const now = this.ctx.now();
    const keys = [`u:${username.toLowerCase()}`, `ip:${ip}`];
    const blocked = keys.find((k) => this.#limiter.isBlocked(k, now));
    if (blocked !== undefined) {
      const seconds = Math.ceil(this.#limiter.retryAfterMs(blocked, now) / 1000);
      throw new PlatformError('TOO_MANY_REQUESTS', { headers: { 'retry-after': String(seconds) } });
    }
    const row = await findCustomerByUsername(this.ctx.storage.db, username);
    const ok = await verifyPassword(row?.password_hash ?? (await dummyHash()), password);
    if (row === undefined || !ok) {
      for (const k of keys) this.#limiter.record(k, now);
      throw new PlatformError('INVALID_CREDENTIALS');
    }
    this.#limiter.reset(keys[0] as string);
    return this.#openSession(present(row));
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

  /** Changes the password after checking the current one; ends every other session (and closes their sockets). */
  async changePassword(customerId: string, currentPassword: string, newPassword: string, keepSessionToken: string): Promise<void> {
    const row = await findCustomerById(this.ctx.storage.db, customerId);
    if (row === undefined || !(await verifyPassword(row.password_hash, currentPassword))) throw new PlatformError('INVALID_CREDENTIALS');
    const passwordHash = await hashPassword(newPassword);
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
      insertSession(db, { id_hash: sha256Hex(sessionToken), customer_id: customer.id, created_at: now, expires_at: expiresAt }),
    );
    return { customer, sessionToken, expiresAt };
  }
}

function present(row: CustomerRow): Customer {
  return { id: row.id, username: row.username, created_at: row.created_at };
}

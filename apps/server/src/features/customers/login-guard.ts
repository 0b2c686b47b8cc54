/**
 * Password checks under the login rate limit, for customers and agents alike: at most
 * `LOGIN_MAX_ATTEMPTS` failures per account and per IP in a 15-minute window (from the first
 * failure), shared by every hub process through the database (attempt-store.ts).
 *
 * The attempt is reserved before the password is verified, atomically, so a parallel burst
 * verifies at most the limit: a burst of 100 with a limit of 5 verifies 5 and refuses 95,
 * and a right password arriving once the reservations are used up is refused too. A right
 * password clears the account's failures and gives the IP's reservation back; a wrong one
 * keeps both reservations as failures. Logins, the current password of a password change
 * and the password confirming an account deletion all count against the same account.
 */
import { PlatformError } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { sha256Hex } from '../../crypto/tokens.js';
import { AttemptStore, type Reservation } from './attempt-store.js';
import { dummyHash, type PasswordHasher } from './passwords.js';

const WINDOW_MS = 15 * 60_000;
/** How often a process deletes lapsed windows. */
const SWEEP_EVERY_MS = 60_000;

/** Whose passwords a guard checks: customers, agents and business console members are limited apart. */
export type GuardScope = 'customer' | 'agent' | 'business';

/** One password check: the account's key (its lower-case username), the client's IP, the stored hash. */
export interface PasswordAttempt {
  account: string;
  ip: string;
  /** The account's hash; undefined for an unknown account (a dummy hash is verified instead). */
  storedHash: string | undefined;
  password: string;
}

export class LoginGuard {
  readonly #ctx: HubContext;
  readonly #scope: GuardScope;
  readonly #passwords: PasswordHasher;
  readonly #store: AttemptStore;
  #lastSweep = Number.NEGATIVE_INFINITY;

  constructor(ctx: HubContext, scope: GuardScope, passwords: PasswordHasher) {
    this.#ctx = ctx;
    this.#scope = scope;
    this.#passwords = passwords;
    this.#store = new AttemptStore(ctx.storage.db);
  }

  /**
   * Verifies `password` if the account and the IP have attempts left.
   * @returns whether it is right (always false for an unknown account).
   * @throws PlatformError `TOO_MANY_REQUESTS` (with `Retry-After`) when either is blocked; nothing is verified then.
   */
  async check(attempt: PasswordAttempt): Promise<boolean> {
    const now = this.#ctx.now();
    await this.#maybeSweep(now);
    const accountKey = this.#key('u', attempt.account.toLowerCase());
    const ipKey = this.#key('ip', attempt.ip);
    const account = await this.#reserve(accountKey, now);
    let ip: Reservation;
    try {
      ip = await this.#reserve(ipKey, now);
    } catch (err) {
      await this.#store.release(account);
      throw err;
    }
    let ok = false;
    try {
      ok = await this.#passwords.verify(attempt.storedHash ?? (await dummyHash()), attempt.password);
    } finally {
      if (ok && attempt.storedHash !== undefined) {
        await this.#store.clear(accountKey);
        await this.#store.release(ip);
      }
    }
    return ok && attempt.storedHash !== undefined;
  }

  async #reserve(id: string, now: number): Promise<Reservation> {
    const max = this.#ctx.config.LOGIN_MAX_ATTEMPTS;
    const reservation = await this.#store.reserve(id, now, max, WINDOW_MS);
    if (reservation !== undefined) return reservation;
    const start = (await this.#store.windowStart(id)) ?? now;
    const seconds = Math.max(1, Math.ceil((start + WINDOW_MS - now) / 1000));
    throw new PlatformError('TOO_MANY_REQUESTS', { headers: { 'retry-after': String(seconds) } });
  }

  /** Hashed, so the table holds no username or IP address in clear. */
  #key(kind: 'u' | 'ip', value: string): string {
    return sha256Hex(`${this.#scope}:${kind}:${value}`);
  }

  async #maybeSweep(now: number): Promise<void> {
    if (now - this.#lastSweep < SWEEP_EVERY_MS) return;
    this.#lastSweep = now;
    await this.#store
      .sweep(now - WINDOW_MS)
      .catch((err: unknown) => this.#ctx.log.warn({ err }, 'login attempts sweep failed'));
  }
}

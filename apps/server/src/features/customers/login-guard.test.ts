/**
 * The login rate limit cannot be raced: an attempt is reserved in the database before its
 * password is verified, so a parallel burst verifies at most LOGIN_MAX_ATTEMPTS passwords
 * (counted through the password hasher seam, not by timing), and a right password arriving
 * once the attempts are used up is refused. A session's password checks (password change,
 * account deletion) count against the same account.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildTestHub,
  createPage,
  DIALECTS,
  signUp,
  testClock,
  testPasswords,
  type TestHub,
} from '../../../test/helpers.js';
import { verifyPassword, type PasswordHasher } from './passwords.js';

const MAX = 5;
const PASSWORD = 'correct horse battery';
const WRONG = 'not the password';

/** argon2id (the test cost) that counts verifications and can hold them until released. */
function countingHasher() {
  let gate: Promise<void> | undefined;
  let open = () => undefined as void;
  const hasher = {
    verifies: 0,
    hash: testPasswords.hash,
    async verify(stored: string, password: string): Promise<boolean> {
      hasher.verifies += 1;
      if (gate !== undefined) await gate;
      return verifyPassword(stored, password);
    },
    hold(): void {
      gate = new Promise<void>((resolve) => (open = resolve));
    },
    release(): void {
      gate = undefined;
      open();
    },
  } satisfies PasswordHasher & Record<string, unknown>;
  return hasher;
}

/** The answer, or 'verifying' when it is still held in the hasher after a second (a check that was not refused). */
const within = <T>(answer: Promise<T>) =>
  Promise.race([answer, new Promise<'verifying'>((r) => setTimeout(() => r('verifying'), 1_000))]);

/** Waits until `predicate` holds (bounded by the test timeout). */
async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((r) => setTimeout(r, 5));
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

for (const dialect of DIALECTS) {
  describe(`${dialect}: login attempts under a parallel burst`, () => {
    let hub: TestHub;
    let hasher: ReturnType<typeof countingHasher>;
    afterEach(async () => {
      hasher.release();
      await hub.dispose();
    });

    async function start(clock = testClock()): Promise<void> {
      hasher = countingHasher();
      hub = await buildTestHub({
        dialect,
        clock,
        passwords: hasher,
        env: { LOGIN_MAX_ATTEMPTS: String(MAX), SERVICES: 'api' },
      });
    }

    const login = (url: string, password: string, ip: string, username = 'alice') =>
      hub.app
        .inject({ method: 'POST', url, payload: { username, password }, remoteAddress: ip })
        .then((r) => r.statusCode);

    /** `n` wrong passwords at once, each from its own address (only the account limit applies), or all from one. */
    const burst = (url: string, n: number, spreadIps: boolean, username?: string) =>
      Promise.all(
        Array.from({ length: n }, (_, i) =>
          login(url, WRONG, spreadIps ? `10.0.${i >> 8}.${i & 255}` : '10.9.9.9', username),
        ),
      );

    it('verifies at most LOGIN_MAX_ATTEMPTS of 100 parallel wrong passwords for one account; the rest get 429', async () => {
      await start();
      await signUp(hub, 'alice', PASSWORD);
      hasher.verifies = 0;
      const statuses = await burst('/api/login', 100, true);
      expect(hasher.verifies).toBe(MAX);
      expect(count(statuses, 401)).toBe(MAX);
      expect(count(statuses, 429)).toBe(100 - MAX);
    });

    it('verifies at most LOGIN_MAX_ATTEMPTS of 100 parallel attempts from one IP across accounts', async () => {
      await start();
      hasher.verifies = 0;
      const statuses = await Promise.all(
        Array.from({ length: 100 }, (_, i) => login('/api/login', WRONG, '10.9.9.9', `user${i}`)),
      );
      expect(hasher.verifies).toBe(MAX);
      expect(count(statuses, 429)).toBe(100 - MAX);
    });

    it('refuses the right password inside a burst once the attempts are used up, without verifying it', async () => {
      await start();
      await signUp(hub, 'alice', PASSWORD);
      hasher.verifies = 0;
      hasher.hold();
      const wrong = burst('/api/login', 100, true);
      // Every attempt left is reserved and being verified: the burst is still in flight.
      await until(() => hasher.verifies >= MAX);
      const right = await within(login('/api/login', PASSWORD, '10.200.0.1'));
      hasher.release();
      const statuses = await wrong;
      expect(right).toBe(429);
      expect(hasher.verifies).toBe(MAX);
      expect(count(statuses, 401)).toBe(MAX);
    });

    it('agent login: a burst verifies at most LOGIN_MAX_ATTEMPTS and the right password inside it is refused', async () => {
      await start();
      const page = await createPage(hub);
      await hub.services.agents.create({ pageId: page.page_id, username: 'ada', password: PASSWORD });
      hasher.verifies = 0;
      hasher.hold();
      const wrong = burst('/inbox/api/login', 60, true, 'ada');
      await until(() => hasher.verifies >= MAX);
      const right = await within(login('/inbox/api/login', PASSWORD, '10.200.0.1', 'ada'));
      hasher.release();
      const statuses = await wrong;
      expect(right).toBe(429);
      expect(hasher.verifies).toBe(MAX);
      expect(count(statuses, 429)).toBe(60 - MAX);
      // Customers and agents are counted apart: a customer of the same name is not blocked.
      await signUp(hub, 'ada', PASSWORD);
      expect(await login('/api/login', PASSWORD, '10.200.0.2', 'ada')).toBe(200);
    });

    it('keeps today’s semantics: a right password clears the account’s failures; the window lapses after 15 minutes', async () => {
      const clock = testClock();
      await start(clock);
      await signUp(hub, 'alice', PASSWORD);
      for (let i = 0; i < MAX - 1; i++) expect(await login('/api/login', WRONG, '10.1.0.1')).toBe(401);
      expect(await login('/api/login', PASSWORD, '10.1.0.2')).toBe(200);
      for (let i = 0; i < MAX; i++) expect(await login('/api/login', WRONG, '10.1.1.1')).toBe(401);
      const blocked = await hub.app.inject({
        method: 'POST',
        url: '/api/login',
        payload: { username: 'alice', password: PASSWORD },
        remoteAddress: '10.1.1.2',
      });
      expect(blocked.statusCode).toBe(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(14 * 60);
      clock.advance(15 * 60_000);
      expect(await login('/api/login', PASSWORD, '10.1.1.2')).toBe(200);
      // No username or address in clear in the shared table.
      const rows = await hub.ctx.storage.db.selectFrom('login_attempts').select('id').execute();
      for (const row of rows) expect(row.id).toMatch(/^[0-9a-f]{64}$/);
    });
  });

  describe(`${dialect}: password checks behind a session count with the logins`, () => {
    let hub: TestHub;
    let hasher: ReturnType<typeof countingHasher>;
    afterEach(async () => {
      await hub.dispose();
    });

    async function start(): Promise<{ cookie: string }> {
      hasher = countingHasher();
      hub = await buildTestHub({
        dialect,
        passwords: hasher,
        env: { LOGIN_MAX_ATTEMPTS: String(MAX), SERVICES: 'api' },
      });
      return signUp(hub, 'alice', PASSWORD);
    }

    const changePassword = (cookie: string, current: string) =>
      hub.app.inject({
        method: 'POST',
        url: '/api/password',
        headers: { cookie },
        payload: { current_password: current, new_password: 'a brand new secret' },
      });
    const deleteAccount = (cookie: string, password: string, ip = '127.0.0.1') =>
      hub.app.inject({
        method: 'DELETE',
        url: '/api/account',
        headers: { cookie },
        payload: { password },
        remoteAddress: ip,
      });

    it('POST /api/password: wrong current passwords are limited, then even the right one gets the login’s 429, and so does the login', async () => {
      const { cookie } = await start();
      for (let i = 0; i < MAX; i++) expect((await changePassword(cookie, WRONG)).statusCode).toBe(401);
      const blocked = await changePassword(cookie, PASSWORD);
      expect(blocked.statusCode).toBe(429);
      expect(blocked.json().error.code).toBe('TOO_MANY_REQUESTS');
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      const login = await hub.app.inject({
        method: 'POST',
        url: '/api/login',
        payload: { username: 'alice', password: PASSWORD },
      });
      expect(login.statusCode).toBe(429);
      expect(login.json().error).toEqual({ ...blocked.json().error, request_id: login.json().error.request_id });
      // The password did not change.
      const row = await hub.ctx.storage.db.selectFrom('customers').select('password_hash').executeTakeFirstOrThrow();
      expect(await verifyPassword(row.password_hash, PASSWORD)).toBe(true);
    });

    it('POST /api/password: a parallel burst of wrong current passwords verifies at most the limit', async () => {
      const { cookie } = await start();
      hasher.verifies = 0;
      const statuses = await Promise.all(
        Array.from({ length: 50 }, () => changePassword(cookie, WRONG).then((r) => r.statusCode)),
      );
      expect(hasher.verifies).toBe(MAX);
      expect(count(statuses, 429)).toBe(50 - MAX);
    });

    it('DELETE /api/account: wrong passwords count with the logins; once blocked the account is not deleted', async () => {
      const { cookie } = await start();
      expect(
        (await hub.app.inject({ method: 'POST', url: '/api/login', payload: { username: 'alice', password: WRONG } }))
          .statusCode,
      ).toBe(401);
      for (let i = 0; i < MAX - 1; i++) expect((await deleteAccount(cookie, WRONG)).statusCode).toBe(401);
      const blocked = await deleteAccount(cookie, PASSWORD);
      expect(blocked.statusCode).toBe(429);
      expect(blocked.json().error.code).toBe('TOO_MANY_REQUESTS');
      expect(await hub.ctx.storage.db.selectFrom('customers').select('id').execute()).toHaveLength(1);
    });

    it('a right current password clears the account’s failures, like a login', async () => {
      const { cookie } = await start();
      for (let i = 0; i < MAX - 1; i++) expect((await changePassword(cookie, WRONG)).statusCode).toBe(401);
      expect((await changePassword(cookie, PASSWORD)).statusCode).toBe(204);
      // From another address: this one's failures are not cleared by a right password (as with logins).
      for (let i = 0; i < MAX - 1; i++) expect((await deleteAccount(cookie, WRONG, '10.3.0.1')).statusCode).toBe(401);
      expect((await deleteAccount(cookie, 'a brand new secret', '10.3.0.1')).statusCode).toBe(204);
    });
  });
}

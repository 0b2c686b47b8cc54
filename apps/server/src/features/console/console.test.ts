import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, DIALECTS, testClock, type TestClock, type TestHub } from '../../../test/helpers.js';
import { INVITE_TTL_MS } from './members.js';

const PASSWORD = 'owner password 1';

for (const dialect of DIALECTS) {
  describe(`${dialect}: business console accounts, pages and credentials`, () => {
    let hub: TestHub;
    let clock: TestClock;

    beforeEach(async () => {
      clock = testClock();
      hub = await buildTestHub({ dialect, clock, env: { LOGIN_MAX_ATTEMPTS: '3' } });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    const call = (
      method: 'GET' | 'POST' | 'DELETE',
      url: string,
      cookie?: string,
      payload?: object,
      headers: Record<string, string> = {},
    ) =>
      hub.app.inject({
        method,
        url,
        headers: { ...(cookie === undefined ? {} : { cookie }), ...headers },
        ...(payload === undefined ? {} : { payload }),
      });

    async function signIn(username: string, password = PASSWORD): Promise<string> {
      const res = await call('POST', '/console/api/login', undefined, { username, password });
      if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
      const cookie = res.cookies.find((c) => c.name === 'confide_console');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console/api' });
      return `confide_console=${cookie?.value}`;
    }

    async function ownerOf(name: string, username: string): Promise<string> {
      await hub.services.console.members.createOrganisation({ name, username, password: PASSWORD }, 'operator');
      return signIn(username);
    }

    async function join(owner: string, role: string, username: string): Promise<string> {
      const invite = await call('POST', '/console/api/invites', owner, { role });
      expect(invite.statusCode).toBe(201);
      const res = await call('POST', '/console/api/invites/accept', undefined, {
        code: invite.json().code,
        username,
        password: PASSWORD,
      });
      expect(res.statusCode).toBe(201);
      expect(res.json().member.role).toBe(role);
      return `confide_console=${res.cookies.find((c) => c.name === 'confide_console')?.value}`;
    }

    it('signs an owner in with their own cookie, refuses wrong passwords with a limit and foreign origins', async () => {
      const owner = await ownerOf('Acme Bank', 'acme-owner');
      expect((await call('GET', '/console/api/me', owner)).json()).toMatchObject({
        member: { username: 'acme-owner', role: 'owner' },
        organisation: { name: 'Acme Bank' },
      });
      // The console cookie is not a customer or agent session, and theirs are not the console's.
      expect((await call('GET', '/api/me', owner.replace('confide_console', 'confide_session'))).statusCode).toBe(401);
      expect((await call('GET', '/console/api/me')).statusCode).toBe(401);

      const evil = await call(
        'POST',
        '/console/api/pages',
        owner,
        { name: 'X', category: 'bank' },
        { origin: 'https://evil.example' },
      );
      expect(evil.statusCode).toBe(403);
      expect((await call('GET', '/console/api/pages', owner)).json().data).toEqual([]);

      for (let i = 0; i < 3; i++)
        expect(
          (await call('POST', '/console/api/login', undefined, { username: 'acme-owner', password: 'wrong password' }))
            .statusCode,
        ).toBe(401);
      const limited = await call('POST', '/console/api/login', undefined, {
        username: 'acme-owner',
        password: PASSWORD,
      });
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBeDefined();

      expect((await call('POST', '/console/api/logout', owner)).statusCode).toBe(204);
      expect((await call('GET', '/console/api/me', owner)).statusCode).toBe(401);
    });

    it('self-service sign-up only when the hub allows it', async () => {
      const body = { organisation: 'Shop', username: 'shopper1', password: PASSWORD };
      const closed = await call('POST', '/console/api/signup', undefined, body);
      expect(closed.statusCode).toBe(403);
      expect(await hub.ctx.storage.db.selectFrom('organisations').select('id').execute()).toEqual([]);

      const open = await buildTestHub({ dialect, env: { CONSOLE_SIGNUP: 'true' } });
      try {
        const res = await open.app.inject({ method: 'POST', url: '/console/api/signup', payload: body });
        expect(res.statusCode).toBe(201);
        expect(res.json()).toMatchObject({
          member: { username: 'shopper1', role: 'owner' },
          organisation: { name: 'Shop' },
        });
        const unsafe = await open.app.inject({
          method: 'POST',
          url: '/console/api/signup',
          payload: { ...body, organisation: '<script>x</script>', username: 'other1' },
        });
        expect(unsafe.statusCode).toBe(400);
      } finally {
        await open.dispose();
      }
    });

    it('invites members with one-time codes that expire; only owners invite', async () => {
      const owner = await ownerOf('Acme Bank', 'acme-owner');
      const dev = await join(owner, 'developer', 'acme-dev');
      expect((await call('POST', '/console/api/invites', dev, { role: 'viewer' })).statusCode).toBe(403);

      const invite = (await call('POST', '/console/api/invites', owner, { role: 'viewer' })).json();
      expect(
        (
          await call('POST', '/console/api/invites/accept', undefined, {
            code: invite.code,
            username: 'v1-acme',
            password: PASSWORD,
          })
        ).statusCode,
      ).toBe(201);
      const reused = await call('POST', '/console/api/invites/accept', undefined, {
        code: invite.code,
        username: 'v2-acme',
        password: PASSWORD,
      });
      expect(reused.statusCode).toBe(400);
      expect(reused.json().error.message).toMatch(/already been used/);

      const late = (await call('POST', '/console/api/invites', owner, { role: 'viewer' })).json();
      clock.advance(INVITE_TTL_MS);
      const expired = await call('POST', '/console/api/invites/accept', undefined, {
        code: late.code,
        username: 'v3-acme',
        password: PASSWORD,
      });
      expect(expired.statusCode).toBe(400);
      expect(expired.json().error.message).toMatch(/expired/);
      expect(
        (
          await call('POST', '/console/api/invites/accept', undefined, {
            code: 'made-up',
            username: 'v4-acme',
            password: PASSWORD,
          })
        ).statusCode,
      ).toBe(400);

      const list = (await call('GET', '/console/api/members', owner)).json().data;
      expect(list.map((m: { username: string; role: string }) => `${m.username}:${m.role}`).sort()).toEqual([
        'acme-dev:developer',
        'acme-owner:owner',
        'v1-acme:viewer',
      ]);
      const audit = await hub.ctx.storage.db
        .selectFrom('audit_log')
        .select(['action', 'actor'])
        .where('action', 'like', 'console.%')
        .execute();
      expect(audit.map((a) => a.action)).toEqual(
        expect.arrayContaining([
          'console.org_created',
          'console.signed_in',
          'console.invite_created',
          'console.member_joined',
        ]),
      );
    });

    it('creates pages, reveals and rotates the app secret after the password, by role', async () => {
      const owner = await ownerOf('Acme Bank', 'acme-owner');
      const dev = await join(owner, 'developer', 'acme-dev');
      const viewer = await join(owner, 'viewer', 'acme-viewer');
      expect((await call('POST', '/console/api/pages', viewer, { name: 'Nope', category: 'bank' })).statusCode).toBe(
        403,
      );
      const created = await call('POST', '/console/api/pages', dev, { name: 'Acme Retail', category: 'bank' });
      expect(created.statusCode).toBe(201);
      const page = created.json();
      expect(
        (await hub.app.inject({ method: 'GET', url: `/me?access_token=${page.page_access_token}` })).json(),
      ).toMatchObject({
        id: page.id,
        name: 'Acme Retail',
      });
      expect((await call('GET', '/console/api/pages', viewer)).json().data).toEqual([
        { id: page.id, name: 'Acme Retail', category: 'bank', app_id: page.app_id },
      ]);

      const reveal = (cookie: string, password: string) =>
        call('POST', `/console/api/pages/${page.id}/secret/reveal`, cookie, { password });
      expect((await reveal(viewer, PASSWORD)).statusCode).toBe(403);
      expect(
        (await call('POST', `/console/api/pages/${page.id}/secret/rotate`, viewer, { password: PASSWORD })).statusCode,
      ).toBe(403);
      expect((await reveal(dev, 'not my password')).statusCode).toBe(401);
      const secret = (await reveal(dev, PASSWORD)).json();
      expect(secret).toEqual({ app_id: page.app_id, app_secret: await hub.services.pages.appSecret(page.app_id) });

      const rotated = await call('POST', `/console/api/pages/${page.id}/secret/rotate`, owner, { password: PASSWORD });
      expect(rotated.statusCode).toBe(200);
      expect(rotated.json().app_secret).not.toBe(secret.app_secret);
      expect(await hub.services.pages.appSecret(page.app_id)).toBe(rotated.json().app_secret);
      const audit = await hub.ctx.storage.db
        .selectFrom('audit_log')
        .select(['action', 'target'])
        .where('action', 'in', ['console.secret_revealed', 'console.secret_rotated'])
        .execute();
      expect(audit).toEqual([
        { action: 'console.secret_revealed', target: page.app_id },
        { action: 'console.secret_rotated', target: page.app_id },
      ]);
    });

    it('labelled page tokens: shown once, listed with last use, revoked', async () => {
      const owner = await ownerOf('Acme Bank', 'acme-owner');
      const viewer = await join(owner, 'viewer', 'acme-viewer');
      const page = (await call('POST', '/console/api/pages', owner, { name: 'Acme', category: 'bank' })).json();
      expect((await call('POST', `/console/api/pages/${page.id}/tokens`, viewer, { label: 'ci' })).statusCode).toBe(
        403,
      );
      const token = (
        await call('POST', `/console/api/pages/${page.id}/tokens`, owner, { label: 'Production bot' })
      ).json();
      expect(token).toMatchObject({ label: 'Production bot' });
      expect(
        (await hub.app.inject({ method: 'GET', url: `/me?access_token=${token.page_access_token}` })).statusCode,
      ).toBe(200);
      await new Promise((r) => setTimeout(r, 50)); // the last use is recorded off the request's path

      const listed = await call('GET', `/console/api/pages/${page.id}/tokens`, viewer);
      expect(listed.body).not.toContain(token.page_access_token);
      const rows = listed.json().data;
      expect(rows).toEqual([
        { id: expect.any(String), label: 'initial', created_at: clock.now(), revoked_at: null, last_used_at: null },
        { id: token.id, label: 'Production bot', created_at: clock.now(), revoked_at: null, last_used_at: clock.now() },
      ]);
      expect((await call('DELETE', `/console/api/pages/${page.id}/tokens/${token.id}`, viewer)).statusCode).toBe(403);
      expect((await call('DELETE', `/console/api/pages/${page.id}/tokens/${token.id}`, owner)).statusCode).toBe(204);
      expect((await call('DELETE', `/console/api/pages/${page.id}/tokens/${token.id}`, owner)).statusCode).toBe(404);
      expect(
        (await hub.app.inject({ method: 'GET', url: `/me?access_token=${token.page_access_token}` })).statusCode,
      ).toBe(400);
    });
  });
}

describe('confide org create (CLI)', () => {
  it('creates an organisation and owner who signs in; bad input is a usage error', async () => {
    const { main } = await import('../../cli.js');
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { vi } = await import('vitest');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-org-'));
    const out: string[] = [];
    const err: string[] = [];
    const spyOut = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    const spyErr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
    try {
      const run = (...args: string[]) => main([...args, '--data-dir', dataDir]);
      expect(await run('org', 'create', '--name', 'CLI Bank', '--username', 'cli-owner', '--password', 'short')).toBe(
        1,
      );
      expect(err.join('')).toMatch(/password/);
      expect(
        await run('org', 'create', '--name', 'CLI Bank', '--username', 'cli-owner', '--password', PASSWORD, '--json'),
      ).toBe(0);
      expect(
        JSON.parse(
          out
            .join('')
            .split('\n')
            .find((l) => l.startsWith('{')) ?? '{}',
        ),
      ).toMatchObject({ name: 'CLI Bank', owner: 'cli-owner' });
      expect(await run('org', 'create', '--name', 'Again', '--username', 'cli-owner', '--password', PASSWORD)).toBe(1);
    } finally {
      spyOut.mockRestore();
      spyErr.mockRestore();
    }
    const hub = await buildTestHub({ dataDir });
    try {
      const login = await hub.app.inject({
        method: 'POST',
        url: '/console/api/login',
        payload: { username: 'cli-owner', password: PASSWORD },
      });
      expect(login.json()).toMatchObject({ member: { role: 'owner' }, organisation: { name: 'CLI Bank' } });
    } finally {
      await hub.dispose();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

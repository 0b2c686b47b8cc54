import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildTestHub, createPage, DIALECTS, testClock, type TestClock, type TestHub } from '../../../test/helpers.js';
import { startTestIdp, type TestIdp } from '../../../test/oidc-idp.js';
import { linkMemberSubject } from '../console/member-sso.js';
import { linkAgentSubject } from '../inbox/agent-sso.js';

const PUBLIC_URL = 'http://localhost:8099';
const AGENTS = { client_id: 'confide-agents', client_secret: 'agents client secret 0123456789' };
const CONSOLE = { client_id: 'confide-console', client_secret: 'console client secret 0123456789' };
const RECHECK_MS = 200;

type Surface = { base: string; home: string; cookie: string };
const AGENT: Surface = { base: '/inbox/api/sso', home: '/inbox', cookie: 'confide_agent' };
const MEMBER: Surface = { base: '/console/api/sso', home: '/console', cookie: 'confide_console' };

let idp: TestIdp;
beforeAll(async () => {
  idp = await startTestIdp([
    { ...AGENTS, redirect_uri: `${PUBLIC_URL}/inbox/api/sso/callback` },
    { ...CONSOLE, redirect_uri: `${PUBLIC_URL}/console/api/sso/callback` },
  ]);
});
afterAll(async () => {
  await idp.close();
});

for (const dialect of DIALECTS) {
  describe(`${dialect}: OpenID Connect single sign-on against a local provider`, () => {
    let hub: TestHub;
    let clock: TestClock;

    beforeEach(async () => {
      clock = testClock(Date.now());
      hub = await buildTestHub({
        dialect,
        clock,
        env: {
          PUBLIC_URL,
          SESSION_RECHECK_MS: String(RECHECK_MS),
          OIDC_AGENTS_ISSUER: idp.issuer,
          OIDC_AGENTS_CLIENT_ID: AGENTS.client_id,
          OIDC_AGENTS_CLIENT_SECRET: AGENTS.client_secret,
          OIDC_CONSOLE_ISSUER: idp.issuer,
          OIDC_CONSOLE_CLIENT_ID: CONSOLE.client_id,
          OIDC_CONSOLE_CLIENT_SECRET: CONSOLE.client_secret,
        },
      });
      idp.disabled.clear();
    });
    afterEach(async () => {
      await hub.dispose();
    });

    /** A browser starts a sign-in at the hub: the provider URL and its state cookie. */
    async function start(surface: Surface) {
      const res = await hub.app.inject({ method: 'GET', url: `${surface.base}/start` });
      expect(res.statusCode).toBe(302);
      const state = res.cookies.find((c) => c.name === 'confide_sso');
      expect(state).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: surface.base });
      const url = new URL(res.headers.location as string);
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      return { url, cookie: state?.value as string };
    }

    const callback = (url: URL, stateCookie: string | undefined, accept = 'text/html') =>
      hub.app.inject({
        method: 'GET',
        url: `${url.pathname}${url.search}`,
        headers: { accept },
        ...(stateCookie === undefined ? {} : { cookies: { confide_sso: stateCookie } }),
      });

    /** The whole trip: hub → provider login as `login` → hub callback. */
    async function signIn(surface: Surface, login: string) {
      const begun = await start(surface);
      const back = await idp.signIn(begun.url.href, login);
      expect(back.pathname).toBe(`${surface.base}/callback`);
      return callback(back, begun.cookie);
    }

    const sessionCookie = (surface: Surface, res: Awaited<ReturnType<typeof callback>>) =>
      `${surface.cookie}=${res.cookies.find((c) => c.name === surface.cookie)?.value}`;

    const audit = async (action: string) =>
      hub.ctx.storage.db.selectFrom('audit_log').select(['actor', 'details']).where('action', '=', action).execute();
    const agentSessions = async () =>
      (await hub.ctx.storage.db.selectFrom('agent_sessions').select('id_hash').execute()).length;

    async function linkedAgent(username: string, subject: string) {
      const page = await createPage(hub, 'SSO Bank');
      await hub.services.agents.create({ pageId: page.page_id, username, password: 'agent password 1' });
      await linkAgentSubject(hub.ctx, username, subject, 'operator');
    }

    it('tells the web app the button is on, and signs a linked agent in with the usual agent session', async () => {
      const config = await hub.app.inject({ method: 'GET', url: '/inbox/api/sso' });
      expect(config.json()).toEqual({ enabled: true, start: '/inbox/api/sso/start' });
      await linkedAgent('ada', 'idp-ada');

      const res = await signIn(AGENT, 'idp-ada');
      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe('/inbox');
      const cookie = res.cookies.find((c) => c.name === 'confide_agent');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/inbox/api' });
      // The state cookie is spent.
      expect(res.cookies.find((c) => c.name === 'confide_sso')?.value).toBe('');
      const me = await hub.app.inject({
        method: 'GET',
        url: '/inbox/api/me',
        headers: { cookie: sessionCookie(AGENT, res) },
      });
      expect(me.statusCode).toBe(200);
      expect(me.json().agent.username).toBe('ada');
      const audited = await audit('sso.signed_in');
      expect(audited).toHaveLength(1);
      expect(audited[0]?.actor).toMatch(/^agent:/);
      // The refresh token is stored sealed, never as issued.
      const row = await hub.ctx.storage.db.selectFrom('agent_sessions').select('sso_refresh').executeTakeFirstOrThrow();
      expect(row.sso_refresh).toMatch(/^v1\./);
    });

    it('refuses a callback with another browser’s state, without state, or after the state expired; nothing written', async () => {
      await linkedAgent('ada', 'idp-ada');
      const mine = await start(AGENT);
      const theirs = await start(AGENT);
      const back = await idp.signIn(mine.url.href, 'idp-ada');

      const wrong = await callback(back, theirs.cookie);
      expect(wrong.statusCode).toBe(400);
      expect(wrong.headers['content-type']).toMatch(/text\/html/);
      expect(wrong.body).toContain('state_mismatch');
      const missing = await callback(back, undefined, 'application/json');
      expect(missing.statusCode).toBe(400);
      expect(missing.json().error.code).toBe('state_missing');
      clock.advance(11 * 60_000);
      const expired = await callback(back, mine.cookie, 'application/json');
      expect(expired.json().error.code).toBe('state_missing');
      expect(await agentSessions()).toBe(0);
      const refused = await audit('sso.refused');
      expect(refused.map((r) => JSON.parse(r.details).reason)).toEqual([
        'state_mismatch',
        'state_missing',
        'state_missing',
      ]);
      expect(await audit('sso.signed_in')).toEqual([]);
    });

    it('refuses an ID token whose nonce is not the one this browser sent', async () => {
      await linkedAgent('ada', 'idp-ada');
      const mine = await start(AGENT);
      // An attacker's authorization request with this browser's state but another nonce.
      const forged = new URL(mine.url);
      forged.searchParams.set('nonce', 'attacker-chosen-nonce-0123456789');
      const back = await idp.signIn(forged.href, 'idp-ada');
      const res = await callback(back, mine.cookie, 'application/json');
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('nonce_mismatch');
      expect(await agentSessions()).toBe(0);
    });

    it('refuses a subject linked to no agent, and an error from the provider', async () => {
      await linkedAgent('ada', 'idp-ada');
      const unknown = await signIn(AGENT, 'idp-mallory');
      expect(unknown.statusCode).toBe(403);
      expect(unknown.body).toContain('not linked');
      const mine = await start(AGENT);
      const denied = new URL(`${PUBLIC_URL}/inbox/api/sso/callback`);
      denied.searchParams.set('error', 'access_denied');
      denied.searchParams.set('state', mine.url.searchParams.get('state') as string);
      const res = await callback(denied, mine.cookie, 'application/json');
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('idp_error');
      expect(await agentSessions()).toBe(0);
      expect((await audit('sso.refused')).map((r) => JSON.parse(r.details).reason)).toEqual([
        'unknown_subject',
        'idp_error',
      ]);
    });

    it('ends the session and closes its sockets (4401) at the next check once the provider disables the agent', async () => {
      await linkedAgent('ada', 'idp-ada');
      const cookie = sessionCookie(AGENT, await signIn(AGENT, 'idp-ada'));
      const me = () => hub.app.inject({ method: 'GET', url: '/inbox/api/me', headers: { cookie } });
      // While the provider confirms it, the re-check keeps the session (and its refresh token rotates).
      const row = () =>
        hub.ctx.storage.db
          .selectFrom('agent_sessions')
          .select(['sso_refresh', 'sso_checked_at'])
          .executeTakeFirstOrThrow();
      const before = await row();
      clock.advance(RECHECK_MS);
      expect((await me()).statusCode).toBe(200);
      const after = await row();
      expect(after.sso_checked_at).toBe(clock.now());
      expect(Number(after.sso_checked_at)).toBeGreaterThan(Number(before.sso_checked_at));
      expect(after.sso_refresh).not.toBe(before.sso_refresh);

      const base = (await hub.listen()).replace('http://', 'ws://');
      const ws = new WebSocket(`${base}/inbox/api/stream`, { headers: { cookie } });
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      idp.disabled.add('idp-ada');
      clock.advance(RECHECK_MS);
      expect(await closed).toBe(4401);
      expect((await me()).statusCode).toBe(401);
      expect(await agentSessions()).toBe(0);
      expect(await audit('sso.session_ended')).toHaveLength(1);
    });

    it('signs a linked console member in with the console session; the owner links members of their organisation only', async () => {
      const members = hub.services.console.members;
      const owner = await members.createOrganisation(
        { name: 'Sandbox Bank', username: 'olivia', password: 'owner password 1' },
        'operator',
      );
      const other = await members.createOrganisation(
        { name: 'Other Shop', username: 'oscar', password: 'owner password 1' },
        'operator',
      );
      await linkMemberSubject(hub.ctx, { username: 'olivia' }, 'idp-olivia', 'operator');
      expect((await hub.app.inject({ method: 'GET', url: '/console/api/sso' })).json().enabled).toBe(true);

      const res = await signIn(MEMBER, 'idp-olivia');
      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe('/console');
      expect(res.cookies.find((c) => c.name === 'confide_console')).toMatchObject({
        httpOnly: true,
        sameSite: 'Strict',
        path: '/console/api',
      });
      const cookie = sessionCookie(MEMBER, res);
      const me = await hub.app.inject({ method: 'GET', url: '/console/api/me', headers: { cookie } });
      expect(me.json().member).toMatchObject({ id: owner.id, username: 'olivia' });
      expect((await audit('sso.signed_in')).map((r) => r.actor)).toEqual([`member:${owner.id}`]);

      // A member of another organisation is not found; the owner's own organisation links.
      const link = (memberId: string, subject: string | null) =>
        hub.app.inject({
          method: 'PUT',
          url: `/console/api/members/${memberId}/sso`,
          headers: { cookie },
          payload: { subject },
        });
      expect((await link(other.id, 'idp-steal')).statusCode).toBe(404);
      const linkedElsewhere = await hub.ctx.storage.db
        .selectFrom('org_members')
        .select('oidc_subject')
        .where('id', '=', other.id)
        .executeTakeFirstOrThrow();
      expect(linkedElsewhere.oidc_subject).toBeNull();
      expect((await link(owner.id, 'idp-olivia-2')).statusCode).toBe(204);

      // An agent's subject does not sign anyone into the console.
      await linkedAgent('ada', 'idp-ada');
      const wrongSurface = await signIn(MEMBER, 'idp-ada');
      expect(wrongSurface.statusCode).toBe(403);
    });

    it('refuses an agent sign-in’s state at the console callback (the cookie is bound to its surface)', async () => {
      await hub.services.console.members.createOrganisation(
        { name: 'Sandbox Bank', username: 'olivia', password: 'owner password 1' },
        'operator',
      );
      await linkMemberSubject(hub.ctx, { username: 'olivia' }, 'idp-olivia', 'operator');
      const agentStart = await start(AGENT);
      const consoleStart = await start(MEMBER);
      const back = await idp.signIn(consoleStart.url.href, 'idp-olivia');
      const res = await callback(back, agentStart.cookie, 'application/json');
      expect(res.json().error.code).toBe('state_missing');
      expect(await hub.ctx.storage.db.selectFrom('org_sessions').select('id_hash').execute()).toEqual([]);
    });

    it('signs a console member out at the next request once the provider disables them', async () => {
      const owner = await hub.services.console.members.createOrganisation(
        { name: 'Sandbox Bank', username: 'olivia', password: 'owner password 1' },
        'operator',
      );
      await linkMemberSubject(hub.ctx, { username: 'olivia' }, 'idp-olivia', 'operator');
      const cookie = sessionCookie(MEMBER, await signIn(MEMBER, 'idp-olivia'));
      const me = () => hub.app.inject({ method: 'GET', url: '/console/api/me', headers: { cookie } });
      clock.advance(RECHECK_MS);
      expect((await me()).statusCode).toBe(200);
      idp.disabled.add('idp-olivia');
      // Within the interval the provider is not asked again.
      expect((await me()).statusCode).toBe(200);
      clock.advance(RECHECK_MS);
      expect((await me()).statusCode).toBe(401);
      expect(await hub.ctx.storage.db.selectFrom('org_sessions').select('id_hash').execute()).toEqual([]);
      expect((await audit('sso.session_ended')).map((r) => r.actor)).toEqual([`member:${owner.id}`]);
    });
  });
}

describe('single sign-on switched off', () => {
  it('tells the web app there is no button and serves no start', async () => {
    const hub = await buildTestHub();
    try {
      expect((await hub.app.inject({ method: 'GET', url: '/inbox/api/sso' })).json().enabled).toBe(false);
      expect((await hub.app.inject({ method: 'GET', url: '/inbox/api/sso/start' })).statusCode).toBe(404);
    } finally {
      await hub.dispose();
    }
  });

  it('answers 503 and sets no state cookie when the provider cannot be reached', async () => {
    const hub = await buildTestHub({
      env: { OIDC_AGENTS_ISSUER: 'http://127.0.0.1:9', OIDC_AGENTS_CLIENT_ID: 'confide-agents' },
    });
    try {
      const res = await hub.app.inject({
        method: 'GET',
        url: '/inbox/api/sso/start',
        headers: { accept: 'application/json' },
      });
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe('provider_unreachable');
      expect(res.cookies.find((c) => c.name === 'confide_sso')).toBeUndefined();
    } finally {
      await hub.dispose();
    }
  });
});

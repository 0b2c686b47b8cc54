/**
 * Isolation between organisations over every `/console/api` endpoint: a member of one
 * organisation reaching another's page, secret or tokens is answered as not found and
 * nothing of the other organisation changes. The list of endpoints is read from the OpenAPI
 * document, so a new endpoint without a case here fails the suite.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, DIALECTS, type TestHub } from '../../../test/helpers.js';

const PASSWORD = 'owner password 1';

interface Case {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** OpenAPI path with {pageId} and {tokenId}. */
  path: string;
  body?: object | Buffer;
  headers?: Record<string, string>;
}

/** A real 32×32 PNG (the smallest page picture allowed). */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAIAAAD8GO2jAAAAKklEQVR4nGMQSFhAU8QwasGoBaMWjFowasGoBaMWjFowasGoBaMWDBULAE6NQD3hMp2sAAAAAElFTkSuQmCC',
  'base64',
);

/** Endpoints that act on the caller's own organisation only (no object id to cross). */
const OWN_ORG = new Set([
  'POST /console/api/login',
  'POST /console/api/signup',
  'POST /console/api/invites/accept',
  'POST /console/api/logout',
  'GET /console/api/me',
  'GET /console/api/members',
  'POST /console/api/invites',
  'GET /console/api/pages',
  'POST /console/api/pages',
  // Whether the "Sign in with SSO" button is shown (features/sso): public, no organisation.
  'GET /console/api/sso',
]);

/** Every endpoint naming another organisation's object. */
const CROSSING: Case[] = [
  { method: 'GET', path: '/console/api/pages/{pageId}' },
  { method: 'POST', path: '/console/api/pages/{pageId}/secret/reveal', body: { password: PASSWORD } },
  { method: 'POST', path: '/console/api/pages/{pageId}/secret/rotate', body: { password: PASSWORD } },
  { method: 'GET', path: '/console/api/pages/{pageId}/tokens' },
  { method: 'POST', path: '/console/api/pages/{pageId}/tokens', body: { label: 'stolen' } },
  { method: 'DELETE', path: '/console/api/pages/{pageId}/tokens/{tokenId}' },
  { method: 'GET', path: '/console/api/pages/{pageId}/webhook' },
  {
    method: 'PUT',
    path: '/console/api/pages/{pageId}/webhook',
    body: { url: 'http://127.0.0.1:9/stolen', verify_token: 'x' },
  },
  { method: 'POST', path: '/console/api/pages/{pageId}/webhook/enable' },
  { method: 'POST', path: '/console/api/pages/{pageId}/webhook/test' },
  { method: 'GET', path: '/console/api/pages/{pageId}/webhook/deliveries' },
  { method: 'POST', path: '/console/api/pages/{pageId}/webhook/redeliver', body: { since: 0 } },
  { method: 'GET', path: '/console/api/pages/{pageId}/declarations' },
  { method: 'PUT', path: '/console/api/pages/{pageId}/declarations/{category}', body: { purpose: 'Stolen' } },
  { method: 'GET', path: '/console/api/pages/{pageId}/consent-stats' },
  { method: 'GET', path: '/console/api/pages/{pageId}/profile' },
  {
    method: 'PUT',
    path: '/console/api/pages/{pageId}/profile',
    body: { greeting: [{ locale: 'default', text: 'Stolen' }] },
  },
  { method: 'GET', path: '/console/api/pages/{pageId}/personas' },
  {
    method: 'POST',
    path: '/console/api/pages/{pageId}/personas',
    body: { name: 'Stolen', profile_picture_url: 'https://x.example/p.png' },
  },
  { method: 'GET', path: '/console/api/pages/{pageId}/agents' },
  {
    method: 'POST',
    path: '/console/api/pages/{pageId}/agents',
    body: { username: 'stolen.agent', password: 'agent password 1', display_name: 'Stolen' },
  },
  { method: 'PUT', path: '/console/api/pages/{pageId}/agents/{agentId}', body: { capacity: 9, team_id: null } },
  { method: 'GET', path: '/console/api/pages/{pageId}/teams' },
  { method: 'POST', path: '/console/api/pages/{pageId}/teams', body: { name: 'Stolen' } },
  { method: 'PUT', path: '/console/api/pages/{pageId}/teams/{teamId}', body: { name: 'Stolen' } },
  { method: 'DELETE', path: '/console/api/pages/{pageId}/teams/{teamId}' },
  { method: 'PUT', path: '/console/api/pages/{pageId}/picture', body: PNG, headers: { 'content-type': 'image/png' } },
  { method: 'DELETE', path: '/console/api/pages/{pageId}/picture' },
  { method: 'GET', path: '/console/api/pages/{pageId}/templates' },
  { method: 'GET', path: '/console/api/pages/{pageId}/metrics' },
  {
    method: 'POST',
    path: '/console/api/pages/{pageId}/templates',
    body: {
      name: 'stolen',
      language: 'en',
      category: 'UTILITY',
      notification_category: 'transactions',
      components: [{ type: 'BODY', text: 'Stolen' }],
    },
  },
];

for (const dialect of DIALECTS) {
  describe(`${dialect}: console isolation between organisations`, () => {
    let hub: TestHub;

    beforeEach(async () => {
      hub = await buildTestHub({ dialect, env: { API_DOCS: 'true' } });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    async function owner(name: string, username: string) {
      await hub.services.console.members.createOrganisation({ name, username, password: PASSWORD }, 'operator');
      const res = await hub.app.inject({
        method: 'POST',
        url: '/console/api/login',
        payload: { username, password: PASSWORD },
      });
      const cookie = `confide_console=${res.cookies.find((c) => c.name === 'confide_console')?.value}`;
      const page = (
        await hub.app.inject({
          method: 'POST',
          url: '/console/api/pages',
          headers: { cookie },
          payload: { name: `${name} page`, category: 'bank' },
        })
      ).json();
      const token = (
        await hub.app.inject({
          method: 'POST',
          url: `/console/api/pages/${page.id}/tokens`,
          headers: { cookie },
          payload: { label: 'bot' },
        })
      ).json();
      const post = async (path: string, payload: object) =>
        (
          await hub.app.inject({
            method: 'POST',
            url: `/console/api/pages/${page.id}/${path}`,
            headers: { cookie },
            payload,
          })
        ).json();
      const team = await post('teams', { name: 'Fraud' });
      const agent = await post('agents', {
        username: `${username}.agent`,
        password: 'agent password 1',
        display_name: 'Dana',
      });
      await hub.app.inject({
        method: 'PUT',
        url: `/console/api/pages/${page.id}/agents/${agent.id}`,
        headers: { cookie },
        payload: { team_id: team.id },
      });
      await hub.app.inject({
        method: 'PUT',
        url: `/console/api/pages/${page.id}/picture`,
        headers: { cookie, 'content-type': 'image/png' },
        payload: PNG,
      });
      return { cookie, page, token, team, agent };
    }

    /** What an organisation holds: compared before and after the other's attempts. */
    const snapshot = async (pageId: string, appId: string) => ({
      tokens: await hub.ctx.storage.db
        .selectFrom('page_tokens')
        .select(['id', 'label', 'revoked_at'])
        .where('page_id', '=', pageId)
        .orderBy('id')
        .execute(),
      secret: await hub.services.pages.appSecret(appId),
      owner: await hub.ctx.storage.db.selectFrom('org_pages').select('org_id').where('page_id', '=', pageId).execute(),
      app: await hub.ctx.storage.db.selectFrom('apps').selectAll().where('id', '=', appId).execute(),
      outbox: await hub.ctx.storage.db
        .selectFrom('webhook_outbox')
        .selectAll()
        .where('app_id', '=', appId)
        .orderBy('id')
        .execute(),
      attempts: await hub.ctx.storage.db
        .selectFrom('webhook_attempts')
        .selectAll()
        .where('app_id', '=', appId)
        .execute(),
      declarations: await hub.ctx.storage.db
        .selectFrom('consent_declarations')
        .selectAll()
        .where('page_id', '=', pageId)
        .execute(),
      profile: await hub.ctx.storage.db
        .selectFrom('messenger_profile')
        .selectAll()
        .where('page_id', '=', pageId)
        .execute(),
      personas: await hub.ctx.storage.db.selectFrom('personas').selectAll().where('page_id', '=', pageId).execute(),
      teams: await hub.ctx.storage.db.selectFrom('inbox_teams').selectAll().where('page_id', '=', pageId).execute(),
      page: await hub.ctx.storage.db.selectFrom('pages').selectAll().where('id', '=', pageId).execute(),
      agents: await hub.ctx.storage.db
        .selectFrom('agents')
        .select(['id', 'username', 'team_id', 'capacity'])
        .where('page_id', '=', pageId)
        .execute(),
      templates: await hub.ctx.storage.db
        .selectFrom('message_templates')
        .selectAll()
        .where('page_id', '=', pageId)
        .execute(),
    });

    it('covers every console endpoint', async () => {
      await hub.app.ready();
      const paths = (hub.app as unknown as { swagger(): { paths: Record<string, Record<string, unknown>> } }).swagger()
        .paths;
      const documented = Object.entries(paths)
        .filter(([p]) => p.startsWith('/console/api/'))
        .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
      const covered = new Set([...OWN_ORG, ...CROSSING.map((c) => `${c.method} ${c.path}`)]);
      expect(documented.filter((e) => !covered.has(e))).toEqual([]);
      expect([...covered].filter((e) => !documented.includes(e))).toEqual([]);
    });

    it("answers another organisation's page, secret and tokens as not found and changes nothing", async () => {
      const a = await owner('Alpha Bank', 'alpha-owner');
      const b = await owner('Beta Shop', 'beta-owner');
      // Also a page the operator created outside the console: no organisation reaches it.
      const loose = await hub.services.pages.createPage({ name: 'Operator page', category: 'bank' });
      const looseToken = (await hub.services.pages.listTokens(loose.page_id))[0]?.id as string;

      const looseTeam = await hub.services.inbox.createTeam({ pageId: loose.page_id, name: 'Ops' });
      const looseAgent = await hub.services.agents.create({
        pageId: loose.page_id,
        username: 'loose.agent',
        password: 'agent password 1',
      });
      const targets = [
        { pageId: b.page.id, tokenId: b.token.id, teamId: b.team.id, agentId: b.agent.id },
        { pageId: loose.page_id, tokenId: looseToken, teamId: looseTeam.id, agentId: looseAgent.id },
      ];
      expect(b.team.id).toMatch(/^tm/);
      const before = [await snapshot(b.page.id, b.page.app_id), await snapshot(loose.page_id, loose.app_id)];
      // B has a picture, a team and an agent in it for A to try and change.
      expect(before[0]!.page[0]!.picture_version).toEqual(expect.any(String));
      expect(before[0]!.agents.map((x) => x.team_id)).toEqual([b.team.id]);
      for (const target of targets) {
        for (const c of CROSSING) {
          const url = c.path
            .replace('{pageId}', target.pageId)
            .replace('{tokenId}', target.tokenId)
            .replace('{teamId}', target.teamId)
            .replace('{agentId}', target.agentId)
            .replace('{category}', 'balances');
          const res = await hub.app.inject({
            method: c.method,
            url,
            headers: { cookie: a.cookie, ...c.headers },
            ...(c.body === undefined ? {} : { payload: c.body }),
          });
          expect({ endpoint: `${c.method} ${c.path}`, status: res.statusCode }).toEqual({
            endpoint: `${c.method} ${c.path}`,
            status: 404,
          });
          expect(res.json().error.code).toBe('NOT_FOUND');
          expect(res.body).not.toContain(b.page.name);
        }
      }
      // A's page with B's team or agent: not found either (the id names another page's object).
      for (const [method, path, payload] of [
        ['PUT', `teams/${b.team.id}`, { name: 'Stolen' }],
        ['DELETE', `teams/${b.team.id}`, undefined],
        ['PUT', `agents/${b.agent.id}`, { capacity: 9 }],
        ['PUT', `agents/${a.agent.id}`, { team_id: b.team.id }],
      ] as const) {
        const res = await hub.app.inject({
          method,
          url: `/console/api/pages/${a.page.id}/${path}`,
          headers: { cookie: a.cookie },
          ...(payload === undefined ? {} : { payload }),
        });
        expect({ path, status: res.statusCode }).toEqual({ path, status: 404 });
      }
      // A's own token id under B's page, and B's token under A's page, are not found either.
      expect(
        (
          await hub.app.inject({
            method: 'DELETE',
            url: `/console/api/pages/${a.page.id}/tokens/${b.token.id}`,
            headers: { cookie: a.cookie },
          })
        ).statusCode,
      ).toBe(404);
      expect([await snapshot(b.page.id, b.page.app_id), await snapshot(loose.page_id, loose.app_id)]).toEqual(before);

      // Lists hold the caller's organisation only.
      const listed = (
        await hub.app.inject({ method: 'GET', url: '/console/api/pages', headers: { cookie: a.cookie } })
      ).json().data;
      expect(listed.map((p: { id: string }) => p.id)).toEqual([a.page.id]);
      const members = (
        await hub.app.inject({ method: 'GET', url: '/console/api/members', headers: { cookie: a.cookie } })
      ).json().data;
      expect(members.map((m: { username: string }) => m.username)).toEqual(['alpha-owner']);

      // B still works with what it has.
      expect(
        (await hub.app.inject({ method: 'GET', url: `/me?access_token=${b.token.page_access_token}` })).statusCode,
      ).toBe(200);
    });

    it('refuses every endpoint but sign-in, sign-up and invite acceptance without a session', async () => {
      await hub.app.ready();
      for (const c of CROSSING) {
        const url = c.path
          .replace('{pageId}', 'pg')
          .replace('{tokenId}', 'tok')
          .replace('{teamId}', 'tm')
          .replace('{agentId}', 'ag')
          .replace('{category}', 'balances');
        const res = await hub.app.inject({
          method: c.method,
          url,
          headers: { ...c.headers },
          ...(c.body === undefined ? {} : { payload: c.body }),
        });
        expect(res.statusCode).toBe(401);
      }
      for (const e of [
        'POST /console/api/logout',
        'GET /console/api/me',
        'GET /console/api/members',
        'POST /console/api/invites',
        'GET /console/api/pages',
        'POST /console/api/pages',
      ]) {
        const [method, url] = e.split(' ') as ['GET' | 'POST', string];
        expect(
          (
            await hub.app.inject({
              method,
              url,
              ...(method === 'POST' ? { payload: { role: 'viewer', name: 'x', category: 'bank' } } : {}),
            })
          ).statusCode,
        ).toBe(401);
      }
    });
  });
}

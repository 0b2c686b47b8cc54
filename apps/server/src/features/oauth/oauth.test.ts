import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildTestHub,
  createPage,
  DIALECTS,
  openConversation,
  signUp,
  testClock,
  type TestHub,
} from '../../../test/helpers.js';
import { connectAssistant, consent, pkce, REDIRECT, registerClient } from '../../../test/assistant.js';
import { verifyAccessToken } from './tokens.js';

const form = (o: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(o).toString(),
});

for (const dialect of DIALECTS) {
  describe(`OAuth 2.1 for assistants (${dialect})`, () => {
    let hub: TestHub;
    const clock = testClock();
    beforeEach(async () => {
      hub = await buildTestHub({ dialect, clock });
    });
    afterEach(async () => hub.dispose());

    async function customerWithBank() {
      const alice = await signUp(hub);
      const bank = await createPage(hub, { name: 'Sandbox Bank' });
      await openConversation(hub, alice.cookie, bank.page_id);
      return { alice, bank };
    }

    it('publishes protected-resource and authorization-server metadata', async () => {
      const base = hub.ctx.config.publicUrl;
      const prm = (await hub.app.inject({ method: 'GET', url: '/.well-known/oauth-protected-resource/mcp' })).json();
      expect(prm).toMatchObject({
        resource: `${base}/mcp`,
        authorization_servers: [base],
        scopes_supported: ['read', 'act'],
      });
      const as = (await hub.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })).json();
      expect(as).toMatchObject({
        issuer: base,
        authorization_endpoint: `${base}/oauth/authorize`,
        token_endpoint: `${base}/oauth/token`,
        registration_endpoint: `${base}/oauth/register`,
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
      });
    });

    it('registers public clients; refuses non-loopback http, fragments and script schemes', async () => {
      for (const uri of [
        'https://assistant.example/cb',
        'http://127.0.0.1:3000/cb',
        'http://localhost/cb',
        'http://[::1]:9/cb',
        'com.example.app:/oauth',
      ]) {
        const res = await hub.app.inject({ method: 'POST', url: '/oauth/register', payload: { redirect_uris: [uri] } });
        expect(res.statusCode, uri).toBe(201);
        expect(res.json()).toMatchObject({ redirect_uris: [uri], token_endpoint_auth_method: 'none' });
        expect(res.json().client_secret).toBeUndefined();
      }
      for (const uri of [
        'http://assistant.example/cb',
        'http://10.0.0.1/cb',
        'https://a.example/cb#x',
        'javascript:alert(1)',
        'notaurl',
        'myapp:/cb',
      ]) {
        const res = await hub.app.inject({ method: 'POST', url: '/oauth/register', payload: { redirect_uris: [uri] } });
        expect(res.statusCode, uri).toBe(400);
        expect(res.json().error).toBe('invalid_redirect_uri');
      }
      expect(
        (await hub.app.inject({ method: 'POST', url: '/oauth/register', payload: { redirect_uris: [] } })).json().error,
      ).toBe('invalid_client_metadata');
      expect(
        (
          await hub.app.inject({
            method: 'POST',
            url: '/oauth/register',
            payload: { redirect_uris: [REDIRECT], grant_types: ['client_credentials'] },
          })
        ).json().error,
      ).toBe('invalid_client_metadata');
      expect(
        (
          await hub.app.inject({
            method: 'POST',
            url: '/oauth/register',
            payload: { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'private_key_jwt' },
          })
        ).json().error,
      ).toBe('invalid_client_metadata');
      expect(await hub.ctx.storage.db.selectFrom('oauth_clients').selectAll().execute()).toHaveLength(5);
    });

    it('authorization requests: unknown client or redirect shown to the customer, PKCE S256 required, login required', async () => {
      const { alice } = await customerWithBank();
      const clientId = await registerClient(hub);
      const { challenge } = pkce();
      const q = {
        response_type: 'code',
        client_id: clientId,
        redirect_uri: REDIRECT,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state: 'xyz',
      };
      const get = (o: Record<string, string>, cookie = alice.cookie) =>
        hub.app.inject({ method: 'GET', url: `/oauth/authorize?${new URLSearchParams(o)}`, headers: { cookie } });
      expect((await get({ ...q, client_id: 'mcp_unknown' })).statusCode).toBe(400);
      const foreign = await get({ ...q, redirect_uri: 'https://evil.example/cb' });
      expect(foreign.statusCode).toBe(400);
      expect(foreign.headers.location).toBeUndefined();
      const plain = await get({ ...q, code_challenge_method: 'plain' });
      expect(plain.statusCode).toBe(303);
      const back = new URL(String(plain.headers.location));
      expect(back.searchParams.get('error')).toBe('invalid_request');
      expect(back.searchParams.get('state')).toBe('xyz');
      expect(back.searchParams.get('iss')).toBe(hub.ctx.config.publicUrl);
      expect(
        new URL(String((await get({ ...q, code_challenge: '' })).headers.location)).searchParams.get('error'),
      ).toBe('invalid_request');
      expect(
        new URL(String((await get({ ...q, resource: 'https://other.example/mcp' })).headers.location)).searchParams.get(
          'error',
        ),
      ).toBe('invalid_target');
      expect(new URL(String((await get({ ...q, scope: 'admin' })).headers.location)).searchParams.get('error')).toBe(
        'invalid_scope',
      );
      const anonymous = await hub.app.inject({ method: 'GET', url: `/oauth/authorize?${new URLSearchParams(q)}` });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.body).toContain('Log in');
      const ok = await get(q);
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('Connect Test Assistant');
      expect(ok.body).toContain('Sandbox Bank');
      expect(ok.headers['content-security-policy']).toContain("form-action 'self' http://127.0.0.1:8976");
    });

    it('consent → code → tokens bound to the MCP audience, with a signed grant receipt in the ledger', async () => {
      const { alice, bank } = await customerWithBank();
      const { clientId, tokens } = await connectAssistant(hub, alice.cookie, {
        pages: [bank.page_id],
        categories: ['balances', 'fraud_alerts'],
        act: true,
      });
      expect(tokens.scope).toBe('read act');
      expect(tokens.expires_in).toBe(300);
      const claims = decodeJwt(tokens.access_token);
      expect(claims).toMatchObject({
        aud: `${hub.ctx.config.publicUrl}/mcp`,
        iss: hub.ctx.config.publicUrl,
        sub: alice.id,
        client_id: clientId,
        scope: 'read act',
      });
      const principal = await verifyAccessToken(hub.ctx, tokens.access_token);
      expect(principal.grant).toMatchObject({
        pageIds: [bank.page_id],
        categories: ['balances', 'fraud_alerts'],
        canAct: true,
        status: 'active',
      });
      const ledger = await hub.ctx.storage.db.selectFrom('assistant_grant_ledger').selectAll().execute();
      expect(ledger).toHaveLength(1);
      const jwks = createLocalJWKSet((await hub.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json());
      const receipt = await jwtVerify(ledger[0]?.receipt_jws ?? '', jwks, { typ: 'assistant-grant+jwt' });
      expect(receipt.payload).toMatchObject({
        client_id: clientId,
        page_ids: [bank.page_id],
        categories: ['balances', 'fraud_alerts'],
        act: true,
        purposes: ['assistant_relay'],
      });
      const audit = await hub.ctx.storage.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'assistant.granted')
        .execute();
      expect(audit).toMatchObject([{ customer_id: alice.id, target: `assistant:${clientId}` }]);
    });

    it('without act ticked the token has read only', async () => {
      const { alice, bank } = await customerWithBank();
      const { tokens } = await connectAssistant(hub, alice.cookie, { pages: [bank.page_id], categories: ['balances'] });
      expect(tokens.scope).toBe('read');
    });

    it('a replayed code is refused and revokes what the first exchange issued; a wrong verifier is refused', async () => {
      const { alice, bank } = await customerWithBank();
      const { clientId, code, verifier, tokens } = await connectAssistant(hub, alice.cookie, {
        pages: [bank.page_id],
        categories: ['balances'],
      });
      const again = await hub.app.inject({
        method: 'POST',
        url: '/oauth/token',
        ...form({
          grant_type: 'authorization_code',
          client_id: clientId,
          code,
          redirect_uri: REDIRECT,
          code_verifier: verifier,
        }),
      });
      expect(again.statusCode).toBe(400);
      expect(again.json().error).toBe('invalid_grant');
      const refreshed = await hub.app.inject({
        method: 'POST',
        url: '/oauth/token',
        ...form({ grant_type: 'refresh_token', client_id: clientId, refresh_token: tokens.refresh_token }),
      });
      expect(refreshed.json().error).toBe('invalid_grant');

      // A fresh code with the wrong verifier: refused, and the code is spent.
      const { challenge } = pkce();
      const location = await consent(
        hub,
        alice.cookie,
        {
          response_type: 'code',
          client_id: clientId,
          redirect_uri: REDIRECT,
          code_challenge: challenge,
          code_challenge_method: 'S256',
        },
        { pages: [bank.page_id], categories: ['balances'] },
      );
      const code2 = new URL(location).searchParams.get('code') ?? '';
      const wrong = await hub.app.inject({
        method: 'POST',
        url: '/oauth/token',
        ...form({
          grant_type: 'authorization_code',
          client_id: clientId,
          code: code2,
          redirect_uri: REDIRECT,
          code_verifier: pkce().verifier,
        }),
      });
      expect(wrong.json()).toMatchObject({ error: 'invalid_grant' });
      const plainVerifier = await hub.app.inject({
        method: 'POST',
        url: '/oauth/token',
        ...form({
          grant_type: 'authorization_code',
          client_id: clientId,
          code: code2,
          redirect_uri: REDIRECT,
          code_verifier: challenge,
        }),
      });
      expect(plainVerifier.json()).toMatchObject({ error: 'invalid_grant' });
      expect(
        (
          await hub.app.inject({
            method: 'POST',
            url: '/oauth/token',
            ...form({ grant_type: 'password', client_id: clientId }),
          })
        ).json().error,
      ).toBe('unsupported_grant_type');
    });

    it('refresh tokens rotate; a reused one revokes the family', async () => {
      const { alice, bank } = await customerWithBank();
      const { clientId, tokens } = await connectAssistant(hub, alice.cookie, {
        pages: [bank.page_id],
        categories: ['balances'],
      });
      const first = await hub.app.inject({
        method: 'POST',
        url: '/oauth/token',
        ...form({ grant_type: 'refresh_token', client_id: clientId, refresh_token: tokens.refresh_token }),
      });
      expect(first.statusCode).toBe(200);
      const rotated = first.json().refresh_token as string;
      expect(rotated).not.toBe(tokens.refresh_token);
      const reuse = await hub.app.inject({
        method: 'POST',
        url: '/oauth/token',
        ...form({ grant_type: 'refresh_token', client_id: clientId, refresh_token: tokens.refresh_token }),
      });
      expect(reuse.json().error).toBe('invalid_grant');
      const afterReuse = await hub.app.inject({
        method: 'POST',
        url: '/oauth/token',
        ...form({ grant_type: 'refresh_token', client_id: clientId, refresh_token: rotated }),
      });
      expect(afterReuse.json().error).toBe('invalid_grant');
    });

    it('access tokens expire after five minutes', async () => {
      const { alice, bank } = await customerWithBank();
      const { tokens } = await connectAssistant(hub, alice.cookie, { pages: [bank.page_id], categories: ['balances'] });
      clock.advance(301_000);
      await expect(verifyAccessToken(hub.ctx, tokens.access_token)).rejects.toThrow('expired');
    });

    it('grants last a year: after that, refreshing is refused', async () => {
      const { alice, bank } = await customerWithBank();
      const { clientId, tokens } = await connectAssistant(hub, alice.cookie, {
        pages: [bank.page_id],
        categories: ['balances'],
      });
      // Refresh tokens live 30 days: an assistant in use refreshes well before, until the grant ends.
      let refreshToken = tokens.refresh_token;
      for (let day = 25; day <= 350; day += 25) {
        clock.advance(25 * 86_400_000);
        const renewed = await hub.app.inject({
          method: 'POST',
          url: '/oauth/token',
          ...form({ grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken }),
        });
        expect(renewed.statusCode, `day ${day}`).toBe(200);
        refreshToken = renewed.json().refresh_token;
      }
      clock.advance(16 * 86_400_000);
      const late = await hub.app.inject({
        method: 'POST',
        url: '/oauth/token',
        ...form({ grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken }),
      });
      expect(late.json()).toMatchObject({
        error: 'invalid_grant',
        error_description: expect.stringContaining('expired'),
      });
    });

    it('consent form: cancel returns access_denied; forged CSRF, foreign pages and unknown categories are refused, nothing written', async () => {
      const { alice, bank } = await customerWithBank();
      const other = await createPage(hub, { name: 'Not Alice’s' });
      const clientId = await registerClient(hub);
      const { challenge } = pkce();
      const q = {
        response_type: 'code',
        client_id: clientId,
        redirect_uri: REDIRECT,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state: 'st',
      };
      const cancelled = new URL(
        await consent(hub, alice.cookie, q, { pages: [bank.page_id], categories: ['balances'] }, 'cancel'),
      );
      expect(cancelled.searchParams.get('error')).toBe('access_denied');
      expect(cancelled.searchParams.get('state')).toBe('st');
      await expect(consent(hub, alice.cookie, q, { pages: [other.page_id], categories: ['balances'] })).rejects.toThrow(
        'consent post: 400',
      );
      await expect(
        consent(hub, alice.cookie, q, { pages: [bank.page_id], categories: ['advertising'] }),
      ).rejects.toThrow('consent post: 400');
      await expect(consent(hub, alice.cookie, q, { pages: [], categories: ['balances'] })).rejects.toThrow(
        'consent post: 400',
      );
      const forged = await hub.app.inject({
        method: 'POST',
        url: '/oauth/authorize',
        headers: {
          cookie: alice.cookie,
          origin: hub.ctx.config.publicUrl,
          'content-type': 'application/x-www-form-urlencoded',
        },
        payload: new URLSearchParams({
          ...q,
          scope: 'read',
          csrf: 'forged',
          action: 'continue',
          pages: bank.page_id,
          categories: 'balances',
        }).toString(),
      });
      expect(forged.statusCode).toBe(403);
      const crossSite = await hub.app.inject({
        method: 'POST',
        url: '/oauth/authorize',
        headers: {
          cookie: alice.cookie,
          origin: 'https://evil.example',
          'content-type': 'application/x-www-form-urlencoded',
        },
        payload: new URLSearchParams({ ...q, csrf: 'x', action: 'continue' }).toString(),
      });
      expect(crossSite.statusCode).toBe(403);
      expect(await hub.ctx.storage.db.selectFrom('assistant_grants').selectAll().execute()).toHaveLength(0);
      expect(await hub.ctx.storage.db.selectFrom('oauth_codes').selectAll().execute()).toHaveLength(0);
    });

    it('confidential clients (a voice skill): a secret shown once, stored hashed; the token endpoint requires it by the registered method', async () => {
      const { alice, bank } = await customerWithBank();
      const skillRedirect = 'https://layla.amazon.com/api/skill/link/M2AAAAAAAAAAAA';
      const reg = await hub.app.inject({
        method: 'POST',
        url: '/oauth/register',
        payload: {
          redirect_uris: [skillRedirect],
          client_name: 'Confide on Alexa',
          token_endpoint_auth_method: 'client_secret_basic',
        },
      });
      expect(reg.statusCode).toBe(201);
      const { client_id: clientId, client_secret: secret } = reg.json();
      expect(secret).toMatch(/^[\w-]{43}$/);
      const stored = await hub.ctx.storage.db
        .selectFrom('oauth_clients')
        .selectAll()
        .where('client_id', '=', clientId)
        .executeTakeFirstOrThrow();
      expect(JSON.stringify(stored)).not.toContain(secret);
      const { verifier, challenge } = pkce();
      const location = await consent(
        hub,
        alice.cookie,
        {
          response_type: 'code',
          client_id: clientId,
          redirect_uri: skillRedirect,
          code_challenge: challenge,
          code_challenge_method: 'S256',
        },
        { pages: [bank.page_id], categories: ['balances'] },
      );
      const code = new URL(location).searchParams.get('code') ?? '';
      const exchange = (headers: Record<string, string>, extra: Record<string, string> = {}) =>
        hub.app.inject({
          method: 'POST',
          url: '/oauth/token',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
          payload: new URLSearchParams({
            grant_type: 'authorization_code',
            code,
            redirect_uri: skillRedirect,
            code_verifier: verifier,
            ...extra,
          }).toString(),
        });
      const basic = (id: string, s: string) => ({
        authorization: `Basic ${Buffer.from(`${id}:${s}`).toString('base64')}`,
      });
      const wrong = await exchange(basic(clientId, 'not-the-secret'));
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json().error).toBe('invalid_client');
      expect(wrong.headers['www-authenticate']).toBe('Basic realm="confide"');
      expect((await exchange({}, { client_id: clientId })).json().error).toBe('invalid_client');
      expect((await exchange({}, { client_id: clientId, client_secret: secret })).json().error).toBe('invalid_client');
      const ok = await exchange(basic(clientId, secret));
      expect(ok.statusCode).toBe(200);
      expect(ok.json().scope).toBe('read');
      // A public client cannot present a secret it was never given.
      const publicId = await registerClient(hub);
      expect(
        (
          await hub.app.inject({
            method: 'POST',
            url: '/oauth/token',
            ...form({ grant_type: 'refresh_token', client_id: publicId, client_secret: 'x', refresh_token: 'y' }),
          })
        ).json().error,
      ).toBe('invalid_client');
    });

    it('registration is bounded: 20 per address per 10 minutes, unused public clients pruned after a day', async () => {
      const { alice, bank } = await customerWithBank();
      const { clientId: used } = await connectAssistant(hub, alice.cookie, {
        pages: [bank.page_id],
        categories: ['balances'],
      });
      const reg = () =>
        hub.app.inject({
          method: 'POST',
          url: '/oauth/register',
          payload: { redirect_uris: [REDIRECT] },
          remoteAddress: '203.0.113.9',
        });
      for (let i = 0; i < 20; i++) expect((await reg()).statusCode).toBe(201);
      const refused = await reg();
      expect(refused.statusCode).toBe(429);
      expect(refused.json().error).toBe('temporarily_unavailable');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      const count = async () =>
        (await hub.ctx.storage.db.selectFrom('oauth_clients').select('client_id').execute()).map((r) => r.client_id);
      expect(await count()).toHaveLength(21);
      clock.advance(86_400_001);
      expect((await reg()).statusCode).toBe(201);
      const left = await count();
      expect(left).toHaveLength(2);
      expect(left).toContain(used);
    });
  });
}

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, type TestHub } from '../../../test/helpers.js';

describe('customer accounts', () => {
  let hub: TestHub;
  beforeEach(async () => {
    hub = await buildTestHub({ env: { LOGIN_MAX_ATTEMPTS: '3' } });
  });
  afterEach(async () => {
    await hub.dispose();
  });

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    hub.app.inject({ method: 'POST', url, payload: payload as object, headers });

  it('signs up, sets an HTTP-only SameSite=Strict cookie, and knows who is logged in', async () => {
    const res = await post('/api/signup', { username: 'Alice', password: 'long enough secret' });
    expect(res.statusCode).toBe(201);
    expect(res.json().customer).toMatchObject({ username: 'alice' });
    const raw = String(res.headers['set-cookie']);
    expect(raw).toMatch(/HttpOnly/);
    expect(raw).toMatch(/SameSite=Strict/);
    const cookie = `confide_session=${res.cookies[0]?.value}`;
    const me = await hub.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
    expect(me.json().customer.username).toBe('alice');
    const stored = await hub.ctx.storage.db.selectFrom('customers').select('password_hash').executeTakeFirstOrThrow();
    expect(stored.password_hash).toMatch(/^\$argon2id\$/);
    const session = await hub.ctx.storage.db.selectFrom('sessions').select('id_hash').executeTakeFirstOrThrow();
    expect(session.id_hash).not.toContain(res.cookies[0]?.value ?? 'x');
  });

  it('refuses a taken username, case-insensitively', async () => {
    await post('/api/signup', { username: 'bob', password: 'long enough secret' });
    const again = await post('/api/signup', { username: 'BOB', password: 'another long secret' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('USERNAME_TAKEN');
  });

  it('validates credentials: short password, bad username characters, extra fields', async () => {
    for (const payload of [
      { username: 'carol', password: 'short' },
      { username: 'car ol', password: 'long enough secret' },
      { username: 'carol', password: 'long enough secret', admin: true },
    ]) {
      const res = await post('/api/signup', payload);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('BAD_REQUEST');
    }
  });

  it('logs in and out; the old cookie stops working', async () => {
    await post('/api/signup', { username: 'dave', password: 'long enough secret' });
    const login = await post('/api/login', { username: 'dave', password: 'long enough secret' });
    expect(login.statusCode).toBe(200);
    const cookie = `confide_session=${login.cookies[0]?.value}`;
    expect((await post('/api/logout', undefined, { cookie })).statusCode).toBe(204);
    const me = await hub.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
    expect(me.statusCode).toBe(401);
    expect(me.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('answers the same error for an unknown user and a wrong password', async () => {
    await post('/api/signup', { username: 'erin', password: 'long enough secret' });
    const wrong = await post('/api/login', { username: 'erin', password: 'not the password' });
    const unknown = await post('/api/login', { username: 'nobody', password: 'not the password' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.json().error).toMatchObject({ code: wrong.json().error.code, message: wrong.json().error.message });
  });

  it('rate-limits failed logins per account, even with the right password afterwards', async () => {
    await post('/api/signup', { username: 'frank', password: 'long enough secret' });
    for (let i = 0; i < 3; i++)
      expect((await post('/api/login', { username: 'frank', password: 'wrong password!' })).statusCode).toBe(401);
    const blocked = await post('/api/login', { username: 'frank', password: 'long enough secret' });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('rate-limits failed logins per IP across accounts', async () => {
    for (const u of ['g1', 'g2', 'g3']) await post('/api/login', { username: `user${u}`, password: 'wrong password!' });
    const res = await post('/api/login', { username: 'userg4', password: 'wrong password!' });
    expect(res.statusCode).toBe(429);
  });

  it('refuses state-changing requests from a foreign Origin', async () => {
    const signup = await post(
      '/api/signup',
      { username: 'gina', password: 'long enough secret' },
      { origin: 'https://evil.example' },
    );
    expect(signup.statusCode).toBe(403);
    expect(signup.json().error.code).toBe('FORBIDDEN_ORIGIN');
    const ok = await post(
      '/api/signup',
      { username: 'gina', password: 'long enough secret' },
      { origin: 'http://localhost:80' },
    );
    expect(ok.statusCode).toBe(201);
    const cookie = `confide_session=${ok.cookies[0]?.value}`;
    const logout = await post('/api/logout', undefined, { cookie, 'sec-fetch-site': 'cross-site' });
    expect(logout.statusCode).toBe(403);
  });

  it('changes the password and ends the other sessions', async () => {
    const first = await post('/api/signup', { username: 'hank', password: 'long enough secret' });
    const other = await post('/api/login', { username: 'hank', password: 'long enough secret' });
    const cookie = `confide_session=${first.cookies[0]?.value}`;
    const otherCookie = `confide_session=${other.cookies[0]?.value}`;
    const bad = await post(
      '/api/password',
      { current_password: 'wrong one', new_password: 'brand new secret' },
      { cookie },
    );
    expect(bad.statusCode).toBe(401);
    const res = await post(
      '/api/password',
      { current_password: 'long enough secret', new_password: 'brand new secret' },
      { cookie },
    );
    expect(res.statusCode).toBe(204);
    expect((await hub.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode).toBe(200);
    expect((await hub.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: otherCookie } })).statusCode).toBe(
      401,
    );
    expect((await post('/api/login', { username: 'hank', password: 'brand new secret' })).statusCode).toBe(200);
  });

  it('answers unknown API routes with the customer error shape and unknown Graph paths with the Graph envelope', async () => {
    const api = await hub.app.inject({ method: 'GET', url: '/api/nope' });
    expect(api.statusCode).toBe(404);
    expect(api.json().error).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    const graph = await hub.app.inject({ method: 'GET', url: '/v25.0/nope/nope/nope' });
    expect(graph.statusCode).toBe(400);
    expect(graph.json().error).toMatchObject({ code: 100, type: 'GraphMethodException' });
    expect(graph.json().error.fbtrace_id).toBeTruthy();
  });

  it('answers malformed URLs and over-long path parameters with our error shapes, never echoing the URL', async () => {
    const badUrl = await hub.app.inject({ method: 'GET', url: '/api/conversations/%E0%A4%A/messages' });
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.json().error.code).toBe('BAD_REQUEST');
    const long = 'x'.repeat(5000);
    const tooLong = await hub.app.inject({ method: 'GET', url: `/v25.0/${long}` });
    expect(tooLong.json().error).toMatchObject({ code: 100 });
    expect(tooLong.body).not.toContain(long);
  });
});

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import { assertOwnObjects, authenticateCall, bearerToken } from './graph-auth.js';
import type { GraphTokenVerifier } from './graph-principal.js';
import type { GraphCall } from './graph-types.js';
import { methodOverride } from './graph-method-override.js';
import { authOf } from './auth.js';

const SECRET = 'app-secret';
/** Page tokens are `page-<id>`; the app token is `7|app-secret`. */
const verifier: GraphTokenVerifier = {
  async verifyToken(token) {
    if (token?.startsWith('page-') !== true) throw new Error('invalid page token');
    return { kind: 'page', pageId: token.slice(5), appId: '7', tokenId: `t-${token}` };
  },
  async verifyAppToken(token) {
    if (token !== `7|${SECRET}`) throw new Error('invalid app token');
    return { kind: 'app', pageId: '1', appId: '7', tokenId: 'app' };
  },
  appSecret: async () => SECRET,
};
const proofOf = (token: string) => createHmac('sha256', SECRET).update(token).digest('hex');

describe('Graph authentication', () => {
  it('takes the token from the query, then the body, then the Authorization header', async () => {
    const all = { query: { access_token: 'page-1' }, fields: { access_token: 'page-2' }, bearer: 'page-3' };
    expect((await authenticateCall(verifier, all, 'page')).principal.pageId).toBe('1');
    expect((await authenticateCall(verifier, { ...all, query: {} }, 'page')).principal.pageId).toBe('2');
    expect((await authenticateCall(verifier, { query: {}, fields: {}, bearer: 'page-3' }, 'page')).token).toBe(
      'page-3',
    );
  });
  it('reads an app token where the endpoint takes either kind and it has the app form', async () => {
    const call = await authenticateCall(verifier, { query: { access_token: `7|${SECRET}` }, fields: {} }, 'any');
    expect(call.principal).toMatchObject({ kind: 'app', appId: '7' });
    await expect(
      authenticateCall(verifier, { query: { access_token: 'page-1' }, fields: {} }, 'app'),
    ).rejects.toThrow();
  });
  it('checks appsecret_proof when present, in any case, and refuses a wrong one', async () => {
    const query = { access_token: 'page-1', appsecret_proof: proofOf('page-1').toUpperCase() };
    expect((await authenticateCall(verifier, { query, fields: {} }, 'page')).principal.pageId).toBe('1');
    await expect(
      authenticateCall(verifier, { query: { ...query, appsecret_proof: proofOf('page-2') }, fields: {} }, 'page'),
    ).rejects.toMatchObject({ key: 'INVALID_ACCESS_TOKEN' });
  });
  it("reuses a sub-request's parent principal unless it carries its own token", async () => {
    const parent = { token: 'page-1', principal: { pageId: 'parent', appId: '7', tokenId: 'x' } } as GraphCall;
    expect((await authenticateCall(verifier, { query: {}, fields: {}, parent }, 'page')).principal.pageId).toBe(
      'parent',
    );
    // Reused at once, without a promise (a batch has 50 sub-requests).
    expect(authenticateCall(verifier, { query: {}, fields: {}, parent }, 'page')).not.toBeInstanceOf(Promise);
    const own = await authenticateCall(verifier, { query: { access_token: 'page-9' }, fields: {}, parent }, 'page');
    expect(own.principal.pageId).toBe('9');
  });
  it("answers another page's or app's id as an unknown object", () => {
    const principal = { pageId: '1', appId: '7', tokenId: 't' };
    expect(() => assertOwnObjects({ pageId: '1', appId: '7' }, principal)).not.toThrow();
    expect(() => assertOwnObjects({ pageId: '2' }, principal)).toThrow(
      expect.objectContaining({ key: 'UNKNOWN_OBJECT' }),
    );
    expect(() => assertOwnObjects({ appId: '8' }, principal)).toThrow(
      expect.objectContaining({ key: 'UNKNOWN_OBJECT' }),
    );
  });
  it('reads Bearer and OAuth authorization headers only', () => {
    const req = (authorization?: string) => ({ headers: { authorization } }) as unknown as FastifyRequest;
    expect(bearerToken(req('Bearer abc'))).toBe('abc');
    expect(bearerToken(req('oauth abc'))).toBe('abc');
    expect(bearerToken(req('Basic abc'))).toBeUndefined();
    expect(bearerToken(req())).toBeUndefined();
  });
});

describe('the method= override', () => {
  it('names GET, POST or DELETE in any case; anything else is no override', () => {
    expect(methodOverride('delete')).toBe('DELETE');
    expect(methodOverride('Get')).toBe('GET');
    expect(methodOverride('PUT')).toBeUndefined();
    expect(methodOverride(undefined)).toBeUndefined();
  });
});

describe('authOf', () => {
  it('gives the caller of the asked kind and refuses any other', () => {
    const request = { auth: { kind: 'page', pageId: '1', appId: '7', tokenId: 't' } } as unknown as FastifyRequest;
    expect(authOf(request, 'page').pageId).toBe('1');
    expect(() => authOf(request, 'customer')).toThrow(expect.objectContaining({ key: 'UNAUTHENTICATED' }));
    expect(() => authOf({} as FastifyRequest, 'page')).toThrow(expect.objectContaining({ key: 'UNAUTHENTICATED' }));
  });
});

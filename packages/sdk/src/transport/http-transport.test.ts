import { describe, expect, it } from 'vitest';
import { fakeFetch, graphError, jsonResponse } from '../../test/fake-fetch.js';
import { PlatformApiError, PlatformNetworkError } from '../errors.js';
import { HttpTransport, computeAppSecretProof } from './http-transport.js';
import type { Link } from './link.js';

// RFC 4231 test case 2: HMAC-SHA256(key "Jefe", data "what do ya want for nothing?").
const RFC4231_TOKEN = 'what do ya want for nothing?';
const RFC4231_SECRET = 'Jefe';
const RFC4231_HMAC = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';

describe('computeAppSecretProof', () => {
  it('is HMAC-SHA256 keyed by the app secret over the token (RFC 4231 vector)', async () => {
    expect(await computeAppSecretProof(RFC4231_TOKEN, RFC4231_SECRET)).toBe(RFC4231_HMAC);
  });
});

describe('HttpTransport', () => {
  it('builds a versioned URL with access_token and appsecret_proof', async () => {
    const { fetch, calls } = fakeFetch(jsonResponse({ ok: true }));
    const transport = new HttpTransport({
      baseUrl: 'http://hub.test/',
      accessToken: RFC4231_TOKEN,
      appSecret: RFC4231_SECRET,
      fetch,
    });
    await transport.get('/me', { fields: 'id,name', skip: undefined });
    const url = calls[0]!.url;
    expect(url.pathname).toBe('/v25.0/me');
    expect(url.searchParams.get('fields')).toBe('id,name');
    expect(url.searchParams.has('skip')).toBe(false);
    expect(url.searchParams.get('access_token')).toBe(RFC4231_TOKEN);
    expect(url.searchParams.get('appsecret_proof')).toBe(RFC4231_HMAC);
  });

  it('omits appsecret_proof without an app secret and supports unversioned paths', async () => {
    const { fetch, calls } = fakeFetch(jsonResponse({}));
    await new HttpTransport({ baseUrl: 'http://hub.test', accessToken: 't', version: '', fetch }).get('/me');
    expect(calls[0]!.url.pathname).toBe('/me');
    expect(calls[0]!.url.searchParams.has('appsecret_proof')).toBe(false);
  });

  it('sends JSON bodies with a JSON content type', async () => {
    const { fetch, calls } = fakeFetch(jsonResponse({ recipient_id: '1', message_id: 'm' }));
    const data = await new HttpTransport({ baseUrl: 'http://hub.test', accessToken: 't', fetch }).post('/me/messages', {
      a: 1,
    });
    expect(data).toEqual({ recipient_id: '1', message_id: 'm' });
    expect(calls[0]).toMatchObject({ method: 'POST', body: { a: 1 }, headers: { 'content-type': 'application/json' } });
  });

  it('throws PlatformApiError for an error envelope, even with HTTP 200', async () => {
    for (const answer of [graphError(100, { error_subcode: 2018001 }), graphError(190, {}, 200)]) {
      const { fetch } = fakeFetch(answer);
      const err = await new HttpTransport({ baseUrl: 'http://hub.test', accessToken: 't', fetch })
        .get('/me')
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PlatformApiError);
      expect((err as PlatformApiError).traceId).toBe('TRACE');
    }
  });

  it('wraps fetch failures in PlatformNetworkError', async () => {
    const { fetch } = fakeFetch(new TypeError('fetch failed'));
    const err = await new HttpTransport({ baseUrl: 'http://hub.test', accessToken: 't', fetch })
      .get('/me')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformNetworkError);
    expect((err as PlatformNetworkError).cause).toBeInstanceOf(TypeError);
  });

  it('runs links in order, outermost first', async () => {
    const order: string[] = [];
    const tag =
      (name: string): Link =>
      async (req, next) => {
        order.push(`${name}>`);
        const res = await next(req);
        order.push(`<${name}`);
        return res;
      };
    const { fetch } = fakeFetch(jsonResponse({}));
    await new HttpTransport({ baseUrl: 'http://hub.test', accessToken: 't', fetch, links: [tag('a'), tag('b')] }).get(
      '/me',
    );
    expect(order).toEqual(['a>', 'b>', '<b', '<a']);
  });

  it('lets a link answer without calling the network (test double)', async () => {
    const stub: Link = async () => ({ status: 200, headers: new Headers(), data: { stubbed: true } });
    const { fetch, calls } = fakeFetch(jsonResponse({}));
    const data = await new HttpTransport({ baseUrl: 'http://hub.test', accessToken: 't', fetch, links: [stub] }).get(
      '/me',
    );
    expect(data).toEqual({ stubbed: true });
    expect(calls).toHaveLength(0);
  });
});

import { describe, expect, it } from 'vitest';
import { fakeFetch, graphError, jsonResponse } from '../../test/fake-fetch.js';
import { PlatformApiError } from '../errors.js';
import { HttpTransport } from './http-transport.js';
import { loggerLink, type LogEntry } from './logger-link.js';
import { isTransientError, retryLink, type RetryLinkOptions } from './retry-link.js';

const setup = (answers: Parameters<typeof fakeFetch>, options: RetryLinkOptions = {}) => {
  const sleeps: number[] = [];
  const { fetch, calls } = fakeFetch(...answers);
  const link = retryLink({ sleep: async (ms) => void sleeps.push(ms), random: () => 0.5, ...options });
  const transport = new HttpTransport({ baseUrl: 'http://hub.test', accessToken: 't', fetch, links: [link] });
  return { transport, calls, sleeps };
};

describe('retryLink', () => {
  it('retries a fetch that fails twice, then succeeds', async () => {
    const { transport, calls, sleeps } = setup([
      new TypeError('ECONNRESET'),
      graphError(2, { is_transient: true }, 500),
      jsonResponse({ ok: 1 }),
    ]);
    await expect(transport.get('/me')).resolves.toEqual({ ok: 1 });
    expect(calls).toHaveLength(3);
    // Equal jitter with random 0.5: 3/4 of min(max, base * 2^n).
    expect(sleeps).toEqual([225, 450]);
  });

  it('does not retry code 100', async () => {
    const { transport, calls } = setup([graphError(100), jsonResponse({})]);
    await expect(transport.get('/me')).rejects.toMatchObject({ code: 100 });
    expect(calls).toHaveLength(1);
  });

  it('retries Graph rate-limit code 613 and honours Retry-After', async () => {
    const { transport, calls, sleeps } = setup([
      graphError(613, {}, 400, { 'retry-after': '2' }),
      jsonResponse({ ok: 1 }),
    ]);
    await transport.get('/me');
    expect(calls).toHaveLength(2);
    expect(sleeps).toEqual([2000]);
  });

  it('gives up after the configured retries and rethrows the last error', async () => {
    const { transport, calls } = setup([graphError(1, {}, 503)], { retries: 2 });
    await expect(transport.get('/me')).rejects.toBeInstanceOf(PlatformApiError);
    expect(calls).toHaveLength(3);
  });

  it('does not wait for a Retry-After beyond maxRetryAfterMs', async () => {
    const { transport, calls } = setup([graphError(4, {}, 429, { 'retry-after': '3600' }), jsonResponse({})]);
    await expect(transport.get('/me')).rejects.toMatchObject({ code: 4 });
    expect(calls).toHaveLength(1);
  });

  it('caps the backoff at maxDelayMs', async () => {
    const { transport, sleeps } = setup([graphError(2, {}, 500)], {
      retries: 4,
      baseDelayMs: 1000,
      maxDelayMs: 2000,
      random: () => 0,
    });
    await transport.get('/me').catch(() => undefined);
    expect(sleeps).toEqual([500, 1000, 1000, 1000]);
  });
});

describe('isTransientError', () => {
  it('classifies Graph codes, statuses and the is_transient flag', () => {
    const make = (status: number, error: Record<string, unknown>) =>
      PlatformApiError.fromResponse(status, {
        error: { message: 'x', type: 'OAuthException', fbtrace_id: 't', ...error },
      });
    expect(isTransientError(make(400, { code: 1 }))).toBe(true);
    expect(isTransientError(make(400, { code: 4 }))).toBe(true);
    expect(isTransientError(make(400, { code: 10, is_transient: true }))).toBe(true);
    expect(isTransientError(make(400, { code: 190 }))).toBe(false);
    expect(isTransientError(make(400, { code: 10, error_subcode: 1400001 }))).toBe(false);
    expect(isTransientError(PlatformApiError.fromResponse(404, 'Not Found'))).toBe(false);
    expect(isTransientError(new Error('boom'))).toBe(false);
  });
});

describe('loggerLink', () => {
  it('logs request and response without the query string', async () => {
    const entries: LogEntry[] = [];
    const { fetch } = fakeFetch(jsonResponse({}));
    let t = 0;
    const transport = new HttpTransport({
      baseUrl: 'http://hub.test',
      accessToken: 'secret-token',
      fetch,
      links: [loggerLink({ log: (e) => entries.push(e), now: () => (t += 5) })],
    });
    await transport.get('/me', { fields: 'id' });
    expect(entries).toEqual([
      { direction: 'request', method: 'GET', path: '/me' },
      { direction: 'response', method: 'GET', path: '/me', status: 200, durationMs: 5 },
    ]);
    expect(JSON.stringify(entries)).not.toContain('secret-token');
  });

  it('logs failures with the Graph code and trace id', async () => {
    const entries: LogEntry[] = [];
    const { fetch } = fakeFetch(graphError(190));
    const transport = new HttpTransport({
      baseUrl: 'http://hub.test',
      accessToken: 't',
      fetch,
      links: [loggerLink({ log: (e) => entries.push(e) })],
    });
    await transport.get('/me').catch(() => undefined);
    expect(entries[1]).toMatchObject({ direction: 'error', status: 400, code: 190, traceId: 'TRACE' });
  });
});

/**
 * Operations surfaces (issue 13 #11): /metrics needs METRICS_TOKEN as a bearer token when
 * one is set and is not served in production without one; the OpenAPI document at /docs is
 * served only where API_DOCS allows it (by default outside production).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestHub, DIALECTS, type TestHub, productionEnv } from '../helpers.js';

const PRODUCTION = productionEnv();
const TOKEN = 'metrics-token-0123456789abcdef';

describe.each(DIALECTS)('operations surfaces (%s)', (dialect) => {
  let hub: TestHub | undefined;
  afterEach(async () => {
    await hub?.dispose();
    hub = undefined;
  });

  const get = (url: string, headers: Record<string, string> = {}) => hub!.app.inject({ method: 'GET', url, headers });

  it('production without METRICS_TOKEN: /metrics and /docs are not served', async () => {
    hub = await buildTestHub({ dialect, env: PRODUCTION });
    for (const url of ['/metrics', '/docs', '/docs/json', '/docs/yaml']) {
      const res = await get(url);
      expect([400, 404], url).toContain(res.statusCode);
      expect(res.body, url).not.toMatch(/confide_http_requests_total|openapi/);
    }
    expect((await get('/healthz')).statusCode).toBe(200);
  });

  it('with METRICS_TOKEN: /metrics answers 401 without the bearer token or with a wrong one, and the metrics with it', async () => {
    hub = await buildTestHub({ dialect, env: { ...PRODUCTION, METRICS_TOKEN: TOKEN } });
    for (const authorization of [
      undefined,
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Basic ${TOKEN}`,
      TOKEN,
      'Bearer ',
    ]) {
      const res = await get('/metrics', authorization === undefined ? {} : { authorization });
      expect(res.statusCode, authorization).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(res.body).not.toMatch(/confide_/);
    }
    const res = await get('/metrics', { authorization: `Bearer ${TOKEN}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/^confide_write_batches_total \d+$/m);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('outside production without a token, /metrics stays open (local tools and the benchmark); a token closes it there too', async () => {
    hub = await buildTestHub({ dialect });
    expect((await get('/metrics')).body).toMatch(/^confide_write_jobs_total \d+$/m);
    await hub.dispose();
    hub = await buildTestHub({ dialect, env: { METRICS_TOKEN: TOKEN } });
    expect((await get('/metrics')).statusCode).toBe(401);
    expect((await get('/metrics', { authorization: `bearer ${TOKEN}` })).statusCode).toBe(200);
  });

  it('API_DOCS: on by default outside production, off in production unless set to true, and off when set to false', async () => {
    hub = await buildTestHub({ dialect });
    expect((await get('/docs/json')).json()).toMatchObject({ openapi: expect.any(String) });
    await hub.dispose();
    hub = await buildTestHub({ dialect, env: { API_DOCS: 'false' } });
    expect((await get('/docs/json')).body).not.toMatch(/openapi/);
    await hub.dispose();
    hub = await buildTestHub({ dialect, env: { ...PRODUCTION, API_DOCS: 'true' } });
    expect((await get('/docs/json')).json()).toMatchObject({ openapi: expect.any(String) });
  });
});

describe('METRICS_TOKEN configuration', () => {
  it('refuses a short token', async () => {
    await expect(buildTestHub({ env: { METRICS_TOKEN: 'short' } })).rejects.toThrow(
      /METRICS_TOKEN: must be at least 16 characters/,
    );
  });
});

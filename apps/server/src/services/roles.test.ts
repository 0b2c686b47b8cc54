import { afterEach, describe, expect, it } from 'vitest';
import { buildTestHub, signUp, type TestHub } from '../../test/helpers.js';
import { runsRole } from './roles.js';

describe('runsRole', () => {
  it('answers from SERVICES', () => {
    expect(runsRole({ SERVICES: ['api', 'worker'] }, 'api')).toBe(true);
    expect(runsRole({ SERVICES: ['api', 'worker'] }, 'realtime')).toBe(false);
  });
});

describe('routes by role', () => {
  const hubs: TestHub[] = [];
  afterEach(async () => {
    for (const h of hubs.splice(0)) await h.dispose();
  });
  async function hub(services: string): Promise<TestHub> {
    const h = await buildTestHub({ env: { SERVICES: services } });
    hubs.push(h);
    return h;
  }
  const status = async (h: TestHub, url: string, cookie?: string) =>
    (await h.app.inject({ method: 'GET', url, ...(cookie === undefined ? {} : { headers: { cookie } }) })).statusCode;

  it('keeps /healthz and /metrics in a worker-only process, without API or stream routes', async () => {
    const worker = await hub('worker');
    expect(await status(worker, '/healthz')).toBe(200);
    expect(await status(worker, '/metrics')).toBe(200);
    expect(
      (
        await worker.app.inject({
          method: 'POST',
          url: '/api/signup',
          payload: { username: 'nobody1', password: 'long enough secret' },
        })
      ).statusCode,
    ).toBe(404);
    expect(await status(worker, '/api/pages')).toBe(404);
    expect(await status(worker, '/api/stream')).toBe(404);
  });

  it('serves the stream but not the API in a realtime-only process', async () => {
    const all = await hub('api,realtime,worker');
    const alice = await signUp(all);
    expect(await status(all, '/api/conversations', alice.cookie)).toBe(200);
    const realtime = await hub('realtime');
    expect(await status(realtime, '/api/conversations', alice.cookie)).toBe(404);
    // The stream route exists (a plain GET without an upgrade is refused, not unknown).
    expect(await status(realtime, '/api/stream')).not.toBe(404);
  });

  it('serves the API but not the stream in an api-only process', async () => {
    const api = await hub('api');
    const alice = await signUp(api);
    expect(await status(api, '/api/conversations', alice.cookie)).toBe(200);
    expect(await status(api, '/api/stream', alice.cookie)).toBe(404);
  });
});

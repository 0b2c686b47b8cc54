import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildTestHub,
  DIALECTS,
  openConversation,
  signUp,
  testClock,
  type TestClock,
  type TestHub,
} from '../../../test/helpers.js';
import { WebhookWorker } from '../webhooks/worker.js';

const PASSWORD = 'owner password 1';

for (const dialect of DIALECTS) {
  describe(`${dialect}: console per-page metrics`, () => {
    let hub: TestHub;
    let clock: TestClock;
    let server: http.Server;
    let url: string;
    beforeEach(async () => {
      clock = testClock();
      hub = await buildTestHub({ dialect, clock, env: { SERVICES: 'api,realtime' } });
      server = http.createServer((req, res) => {
        const q = new URL(req.url ?? '/', 'http://x').searchParams;
        if (req.method === 'GET') return void res.writeHead(200).end(q.get('hub.challenge'));
        req.resume();
        req.on('end', () => res.writeHead(200).end('ok'));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    });
    afterEach(async () => {
      await hub.dispose();
      await new Promise<void>((r) => server.close(() => r()));
    });

    it("counts the page's sends, refusals and webhook latency from the /metrics counters, and no other page's", async () => {
      await hub.services.console.members.createOrganisation(
        { name: 'M Bank', username: 'm-owner', password: PASSWORD },
        'operator',
      );
      const login = await hub.app.inject({
        method: 'POST',
        url: '/console/api/login',
        payload: { username: 'm-owner', password: PASSWORD },
      });
      const cookie = `confide_console=${login.cookies.find((c) => c.name === 'confide_console')?.value}`;
      const page = (
        await hub.app.inject({
          method: 'POST',
          url: '/console/api/pages',
          headers: { cookie },
          payload: { name: 'M Bank', category: 'bank' },
        })
      ).json();
      const other = (
        await hub.app.inject({
          method: 'POST',
          url: '/console/api/pages',
          headers: { cookie },
          payload: { name: 'Other', category: 'bank' },
        })
      ).json();
      await hub.app.inject({
        method: 'PUT',
        url: `/console/api/pages/${page.id}/webhook`,
        headers: { cookie },
        payload: { url, verify_token: 't' },
      });
      const customer = await signUp(hub);
      const conv = await openConversation(hub, customer.cookie, page.id);
      await hub.app.inject({
        method: 'POST',
        url: `/api/conversations/${conv.id}/messages`,
        headers: { cookie: customer.cookie },
        payload: { text: 'hi' },
      });
      const psid = (
        await hub.ctx.storage.db
          .selectFrom('conversations')
          .select('psid')
          .where('id', '=', conv.id)
          .executeTakeFirstOrThrow()
      ).psid;
      const send = (token: string) =>
        hub.app.inject({
          method: 'POST',
          url: `/v25.0/me/messages?access_token=${token}`,
          payload: { recipient: { id: psid }, messaging_type: 'RESPONSE', message: { text: 'hello' } },
        });
      expect((await send(page.page_access_token)).statusCode).toBe(200);
      expect((await send(page.page_access_token)).statusCode).toBe(200);
      expect((await send(other.page_access_token)).statusCode).toBe(400);
      clock.advance(2 * 24 * 3_600_000);
      expect((await send(page.page_access_token)).statusCode).toBe(400);
      await new WebhookWorker(hub.ctx, hub.services.pages).runOnce();

      const res = await hub.app.inject({
        method: 'GET',
        url: `/console/api/pages/${page.id}/metrics`,
        headers: { cookie },
      });
      expect(res.statusCode).toBe(200);
      const m = res.json();
      expect(m).toMatchObject({
        sends: 2,
        errors: { OUTSIDE_WINDOW: 1 },
        consent_refusals: {},
        webhook: { posts: 1, failed: 0 },
      });
      expect(m.webhook.p50_ms).toBeGreaterThan(0);
      expect(m.webhook.p99_ms).toBeGreaterThanOrEqual(m.webhook.p50_ms);
      const theirs = (
        await hub.app.inject({ method: 'GET', url: `/console/api/pages/${other.id}/metrics`, headers: { cookie } })
      ).json();
      expect(theirs).toMatchObject({ sends: 0, errors: { NO_MATCHING_USER: 1 }, webhook: { posts: 0, p50_ms: null } });
      const exposed = (await hub.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(exposed).toContain(`confide_page_sends_total{page_id="${page.id}"} 2`);
    });
  });
}

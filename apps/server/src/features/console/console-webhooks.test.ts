import { createHmac, randomBytes } from 'node:crypto';
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
import { generateVapidPair } from '../push/vapid.js';

const PASSWORD = 'owner password 1';

/** A business's receiver: answers the handshake, records POSTs, can be taken down (503). */
async function startReceiver(verifyToken: string) {
  const state = {
    url: '',
    posts: [] as { body: string; signature: string | undefined }[],
    down: false,
    close: async () => undefined as void,
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET') {
      const ok = url.searchParams.get('hub.verify_token') === verifyToken;
      res.writeHead(ok ? 200 : 403).end(ok ? url.searchParams.get('hub.challenge') : 'Forbidden');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (state.down) return void res.writeHead(503).end('maintenance window, back soon');
      state.posts.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: req.headers['x-hub-signature-256'] as string | undefined,
      });
      res.writeHead(200).end('EVENT_RECEIVED');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  state.close = () => new Promise<void>((r) => server.close(() => r()));
  return state;
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: console webhooks`, () => {
    let hub: TestHub;
    let clock: TestClock;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;

    beforeEach(async () => {
      clock = testClock();
      hub = await buildTestHub({ dialect, clock, env: { SERVICES: 'api,realtime' } });
      receiver = await startReceiver('verify-me');
    });
    afterEach(async () => {
      await hub.dispose();
      await receiver.close();
    });

    const call = (method: 'GET' | 'POST' | 'PUT', url: string, cookie: string, payload?: object) =>
      hub.app.inject({ method, url, headers: { cookie }, ...(payload === undefined ? {} : { payload }) });

    async function signIn(username: string): Promise<string> {
      const res = await hub.app.inject({
        method: 'POST',
        url: '/console/api/login',
        payload: { username, password: PASSWORD },
      });
      return `confide_console=${res.cookies.find((c) => c.name === 'confide_console')?.value}`;
    }

    it('sets the webhook after the live handshake, sends a test event, logs deliveries and failures, redelivers and re-enables', async () => {
      await hub.services.console.members.createOrganisation(
        { name: 'Hook Bank', username: 'hook-owner', password: PASSWORD },
        'operator',
      );
      const owner = await signIn('hook-owner');
      const invite = (await call('POST', '/console/api/invites', owner, { role: 'viewer' })).json();
      await hub.app.inject({
        method: 'POST',
        url: '/console/api/invites/accept',
        payload: { code: invite.code, username: 'hook-viewer', password: PASSWORD },
      });
      const viewer = await signIn('hook-viewer');
      const page = (await call('POST', '/console/api/pages', owner, { name: 'Hook Bank', category: 'bank' })).json();
      const hook = `/console/api/pages/${page.id}/webhook`;

      const wrong = await call('PUT', hook, owner, { url: receiver.url, verify_token: 'nope' });
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json().error.message).toMatch(/Callback verification failed.*HTTP 403/);
      expect((await call('GET', hook, viewer)).json()).toMatchObject({ callback_url: null });
      expect((await call('PUT', hook, viewer, { url: receiver.url, verify_token: 'verify-me' })).statusCode).toBe(403);
      const set = await call('PUT', hook, owner, {
        url: receiver.url,
        verify_token: 'verify-me',
        fields: ['messages'],
      });
      expect(set.statusCode).toBe(200);
      expect(set.json()).toMatchObject({ callback_url: receiver.url, fields: ['messages'], status: 'active' });
      expect(set.json().available_fields).toContain('messaging_postbacks');

      // The test event is signed with the app secret and logged.
      expect((await call('POST', `${hook}/test`, viewer)).statusCode).toBe(403);
      const test = await call('POST', `${hook}/test`, owner);
      expect(test.json()).toMatchObject({
        kind: 'test',
        ok: true,
        status_code: 200,
        response_snippet: 'EVENT_RECEIVED',
        events: 0,
      });
      expect(receiver.posts).toHaveLength(1);
      const secret = await hub.services.pages.appSecret(page.app_id);
      expect(receiver.posts[0]?.signature).toBe(
        `sha256=${createHmac('sha256', secret)
          .update(receiver.posts[0]?.body ?? '')
          .digest('hex')}`,
      );
      expect(JSON.parse(receiver.posts[0]?.body ?? '{}').entry[0].messaging[0].message.text).toBe(
        'Test event from the Confide console',
      );

      // A customer's message is delivered by the worker and logged.
      const alice = await signUp(hub);
      const conv = await openConversation(hub, alice.cookie, page.id);
      const say = (text: string) =>
        hub.app.inject({
          method: 'POST',
          url: `/api/conversations/${conv.id}/messages`,
          headers: { cookie: alice.cookie },
          payload: { text },
        });
      clock.advance(1_000);
      await say('hello');
      const worker = new WebhookWorker(hub.ctx, hub.services.pages, { random: () => 0.5 });
      await worker.runOnce();
      expect(receiver.posts).toHaveLength(2);
      let log = (await call('GET', `${hook}/deliveries`, viewer)).json().data;
      expect(log[0]).toMatchObject({ kind: 'delivery', ok: true, attempt: 1, events: 1, status_code: 200 });
      const delivered = log[0];

      // The receiver goes down: failures are logged with the answer's first bytes and the next retry shows.
      receiver.down = true;
      clock.advance(1_000);
      await say('are you there?');
      await worker.runOnce();
      clock.advance(60_000);
      await worker.runOnce();
      log = (await call('GET', `${hook}/deliveries`, viewer)).json().data;
      expect(log.slice(0, 2)).toMatchObject([
        {
          kind: 'delivery',
          ok: false,
          attempt: 2,
          status_code: 503,
          error: 'HTTP 503',
          response_snippet: 'maintenance window, back soon',
        },
        { kind: 'delivery', ok: false, attempt: 1, status_code: 503 },
      ]);
      const failing = (await call('GET', hook, viewer)).json();
      expect(failing).toMatchObject({ pending: 1, last_error: 'HTTP 503' });
      expect(Date.parse(failing.next_attempt_at)).toBeGreaterThan(clock.now());
      expect(failing.failing_since).not.toBeNull();

      // It comes back: the retry is delivered, then one earlier event is redelivered on request.
      receiver.down = false;
      clock.advance(10 * 60_000);
      await worker.runOnce();
      expect(receiver.posts).toHaveLength(3);
      expect(
        (await call('POST', `${hook}/redeliver`, viewer, { from_event_id: delivered.first_event_id })).statusCode,
      ).toBe(403);
      expect((await call('POST', `${hook}/redeliver`, owner, {})).statusCode).toBe(400);
      const again = await call('POST', `${hook}/redeliver`, owner, {
        from_event_id: delivered.first_event_id,
        to_event_id: delivered.last_event_id,
      });
      expect(again.json()).toEqual({ redelivered: 1 });
      await worker.runOnce();
      expect(receiver.posts).toHaveLength(4);
      expect(JSON.parse(receiver.posts[3]?.body ?? '{}').entry[0].messaging[0].message.text).toBe('hello');

      // Disabled after failing too long; enabled again from the console.
      await hub.ctx.storage.db
        .updateTable('apps')
        .set({ webhook_status: 'disabled', webhook_disabled_at: clock.now() })
        .where('id', '=', page.app_id)
        .execute();
      expect((await call('POST', `${hook}/enable`, viewer)).statusCode).toBe(403);
      expect((await call('POST', `${hook}/enable`, owner)).json()).toMatchObject({
        status: 'active',
        disabled_at: null,
      });
      const audit = await hub.ctx.storage.db
        .selectFrom('audit_log')
        .select('details')
        .where('action', '=', 'webhook.config')
        .where('actor', 'like', 'member:%')
        .execute();
      expect(audit).toHaveLength(3);
    });

    it('refuses a private callback address in production, writing nothing', async () => {
      const prod = await buildTestHub({
        dialect,
        env: {
          NODE_ENV: 'production',
          SERVICE_KEY: randomBytes(32).toString('base64'),
          KEK: randomBytes(32).toString('base64'),
          ...generateVapidPair(),
          SERVICES: 'api',
        },
      });
      try {
        await prod.services.console.members.createOrganisation(
          { name: 'Prod Bank', username: 'prod-owner', password: PASSWORD },
          'operator',
        );
        const res = await prod.app.inject({
          method: 'POST',
          url: '/console/api/login',
          payload: { username: 'prod-owner', password: PASSWORD },
        });
        const cookie = `confide_console=${res.cookies.find((c) => c.name === 'confide_console')?.value}`;
        const page = (
          await prod.app.inject({
            method: 'POST',
            url: '/console/api/pages',
            headers: { cookie },
            payload: { name: 'P', category: 'bank' },
          })
        ).json();
        const set = await prod.app.inject({
          method: 'PUT',
          url: `/console/api/pages/${page.id}/webhook`,
          headers: { cookie },
          payload: { url: receiver.url, verify_token: 'verify-me' },
        });
        expect(set.statusCode).toBe(400);
        expect(set.json().error.message).toMatch(/private|loopback|refused/i);
        expect(
          (
            await prod.app.inject({ method: 'GET', url: `/console/api/pages/${page.id}/webhook`, headers: { cookie } })
          ).json().callback_url,
        ).toBeNull();
      } finally {
        await prod.dispose();
      }
    });
  });
}

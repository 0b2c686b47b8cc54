import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DIALECTS,
  buildTestHub,
  createPage,
  openConversation,
  signUp,
  testClock,
  type TestHub,
} from '../../../test/helpers.js';
import { WebhookWorker } from './worker.js';
import { runWebhookCommand } from './cli-commands.js';

/** A callback endpoint answering the handshake like Meta's sample (403 on a wrong token). */
interface Endpoint {
  url: string;
  gets: URLSearchParams[];
  posts: string[];
  answer: 'echo' | 'wrong-challenge' | 'server-error';
  close(): Promise<void>;
}

async function startEndpoint(verifyToken: string): Promise<Endpoint> {
  const endpoint: Endpoint = { url: '', gets: [], posts: [], answer: 'echo', close: async () => undefined };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET') {
      endpoint.gets.push(url.searchParams);
      const ok =
        url.searchParams.get('hub.mode') === 'subscribe' && url.searchParams.get('hub.verify_token') === verifyToken;
      if (endpoint.answer === 'server-error') res.writeHead(500).end('boom');
      else if (!ok) res.writeHead(403).end('Forbidden');
      else res.writeHead(200).end(endpoint.answer === 'echo' ? url.searchParams.get('hub.challenge') : '12345');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      endpoint.posts.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200).end('EVENT_RECEIVED');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?tenant=a`;
  endpoint.close = () => new Promise<void>((r) => server.close(() => r()));
  return endpoint;
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: webhook subscriptions`, () => {
    let hub: TestHub;
    let endpoint: Endpoint;
    beforeEach(async () => {
      hub = await buildTestHub({ dialect, clock: testClock(), env: { SERVICES: 'api,realtime' } });
      endpoint = await startEndpoint('s3cret-token');
    });
    afterEach(async () => {
      await hub.dispose();
      await endpoint.close();
    });

    it('sets the callback after a successful handshake and seals the verify token', async () => {
      const page = await createPage(hub);
      const status = await hub.services.webhooks.subscribe({
        pageId: page.page_id,
        url: endpoint.url,
        verifyToken: 's3cret-token',
        fields: ['messages', 'messaging_postbacks'],
      });
      expect(endpoint.gets).toHaveLength(1);
      const query = endpoint.gets[0];
      expect(query?.get('hub.mode')).toBe('subscribe');
      expect(query?.get('hub.challenge')).toMatch(/^[1-9]\d*$/);
      expect(query?.get('tenant')).toBe('a');
      expect(status).toMatchObject({
        app_id: page.app_id,
        callback_url: endpoint.url,
        fields: ['messages', 'messaging_postbacks'],
        status: 'active',
        pending: 0,
      });
      const app = await hub.ctx.storage.db
        .selectFrom('apps')
        .selectAll()
        .where('id', '=', page.app_id)
        .executeTakeFirstOrThrow();
      expect(app.verify_token_enc).not.toContain('s3cret-token');
      expect(hub.ctx.secrets.open(app.verify_token_enc ?? '', `verify-token:${page.app_id}`)).toBe('s3cret-token');
    });

    it('refuses a wrong verify token, a wrong challenge, a server error and an unreachable URL, changing nothing', async () => {
      const page = await createPage(hub);
      const attempt = (url: string, verifyToken: string) =>
        hub.services.webhooks.subscribe({ pageId: page.page_id, url, verifyToken });
      await expect(attempt(endpoint.url, 'not-the-token')).rejects.toThrow(/Callback verification failed.*HTTP 403/);
      endpoint.answer = 'wrong-challenge';
      await expect(attempt(endpoint.url, 's3cret-token')).rejects.toThrow(/did not echo hub\.challenge/);
      endpoint.answer = 'server-error';
      await expect(attempt(endpoint.url, 's3cret-token')).rejects.toThrow(/HTTP 500/);
      await endpoint.close();
      await expect(attempt(endpoint.url, 's3cret-token')).rejects.toThrow(/connection (refused|reset)/);
      await expect(attempt('ftp://example.test/hook', 's3cret-token')).rejects.toThrow(/http or https/);
      const err = await attempt(endpoint.url, 'not-the-token').catch((e: unknown) => e as Error);
      expect(err.message).not.toContain('not-the-token');
      expect(await hub.services.webhooks.status(page.page_id)).toMatchObject({ callback_url: null, status: 'active' });
    });

    it('refuses unknown fields before calling the endpoint', async () => {
      const page = await createPage(hub);
      await expect(
        hub.services.webhooks.subscribe({
          pageId: page.page_id,
          url: endpoint.url,
          verifyToken: 's3cret-token',
          fields: ['messages', 'feed'],
        }),
      ).rejects.toThrow(/Unknown webhook field\(s\): feed/);
      expect(endpoint.gets).toHaveLength(0);
    });

    it('accepts the page-level message_template_status_update field, as /{page}/subscribed_apps does', async () => {
      const page = await createPage(hub);
      const status = await hub.services.webhooks.subscribe({
        pageId: page.page_id,
        url: endpoint.url,
        verifyToken: 's3cret-token',
        fields: ['messages', 'message_template_status_update'],
      });
      expect(status.fields).toEqual(['messages', 'message_template_status_update']);
    });

    it('delivers only subscribed fields, and redelivers delivered events on request', async () => {
      const page = await createPage(hub);
      await runWebhookCommand(hub.services.webhooks, 'webhook set', {
        page: page.page_id,
        url: endpoint.url,
        verifyToken: 's3cret-token',
        fields: 'messaging_postbacks',
      });
      const alice = await signUp(hub);
      const conv = await openConversation(hub, alice.cookie, page.page_id);
      const send = (payload: object) =>
        hub.app.inject({
          method: 'POST',
          url: `/api/conversations/${conv.id}/messages`,
          headers: { cookie: alice.cookie },
          payload,
        });
      expect((await send({ text: 'not subscribed' })).statusCode).toBe(201);
      expect((await send({ postback: { title: 'Balance', payload: 'BALANCE' } })).statusCode).toBe(201);
      const worker = new WebhookWorker(hub.ctx, hub.services.pages);
      await worker.runOnce();
      expect(endpoint.posts).toHaveLength(1);
      expect(JSON.parse(endpoint.posts[0] ?? '{}').entry[0].messaging[0].postback).toMatchObject({
        title: 'Balance',
        payload: 'BALANCE',
      });

      const since = new Date(hub.ctx.now()).toISOString();
      expect(
        await runWebhookCommand(hub.services.webhooks, 'webhook redeliver', { page: page.page_id, since }),
      ).toEqual({
        page_id: page.page_id,
        requeued: 1,
      });
      expect(
        await runWebhookCommand(hub.services.webhooks, 'webhook redeliver', {
          page: page.page_id,
          since: '2099-01-01T00:00:00Z',
        }),
      ).toMatchObject({
        requeued: 0,
      });
      await worker.runOnce();
      expect(endpoint.posts).toHaveLength(2);
      expect(endpoint.posts[1]).toBe(endpoint.posts[0]);
      expect(await runWebhookCommand(hub.services.webhooks, 'webhook status', { page: page.page_id })).toMatchObject({
        pending: 0,
        delivered: 1,
      });
    });

    it('answers usage errors for missing arguments and unknown pages', async () => {
      await expect(runWebhookCommand(hub.services.webhooks, 'webhook status', {})).rejects.toThrow(/needs --page/);
      await expect(runWebhookCommand(hub.services.webhooks, 'webhook set', { page: 'x' })).rejects.toThrow(
        /needs --url and --verify-token/,
      );
      await expect(runWebhookCommand(hub.services.webhooks, 'webhook status', { page: '404' })).rejects.toThrow(
        /No page 404/,
      );
      await expect(
        runWebhookCommand(hub.services.webhooks, 'webhook redeliver', { page: '404', since: 'yesterday' }),
      ).rejects.toThrow(/not an ISO date/);
      const page = await createPage(hub);
      await expect(hub.services.webhooks.enable(page.page_id)).rejects.toThrow(/no callback URL/);
    });
  });
}

describe('confide webhook … (CLI)', () => {
  it('verifies the callback on `page create --webhook-url`, then sets, shows and re-enables the subscription', async () => {
    const { main } = await import('../../cli.js');
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-cli-'));
    const endpoint = await startEndpoint('tok');
    const out: string[] = [];
    const err: string[] = [];
    const spyOut = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    const spyErr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
    const run = (...args: string[]) => main([...args, '--data-dir', dataDir]);
    try {
      const base = ['page', 'create', '--name', 'Hook Bank', '--category', 'bank', '--webhook-url', endpoint.url];
      expect(await run(...base, '--verify-token', 'wrong')).toBe(1);
      expect(err.join('')).toMatch(/Callback verification failed.*HTTP 403/);
      out.length = 0;
      expect(await run(...base, '--verify-token', 'tok', '--json')).toBe(0);
      const page = JSON.parse(out.join('')) as { page_id: string };
      out.length = 0;
      expect(
        await run(
          'webhook',
          'set',
          '--page',
          page.page_id,
          '--url',
          endpoint.url,
          '--verify-token',
          'tok',
          '--fields',
          'messages,standby',
          '--json',
        ),
      ).toBe(0);
      expect(JSON.parse(out.join(''))).toMatchObject({
        page_id: page.page_id,
        fields: ['messages', 'standby'],
        status: 'active',
      });
      out.length = 0;
      expect(await run('webhook', 'enable', '--page', page.page_id, '--json')).toBe(0);
      expect(await run('webhook', 'status', '--page', page.page_id)).toBe(0);
      expect(out.join('')).toContain(`callback_url: ${endpoint.url}`);
      expect(endpoint.gets).toHaveLength(3);
    } finally {
      spyOut.mockRestore();
      spyErr.mockRestore();
      await endpoint.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

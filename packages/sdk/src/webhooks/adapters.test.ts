import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signWebhookBody } from '@confide/protocol';
import Fastify from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { envelope, items } from '../../test/fixtures.js';
import { Bot } from './bot.js';
import { expressWebhook, type ExpressRequestLike } from './express-adapter.js';
import { fastifyWebhook } from './fastify-adapter.js';
import { fetchWebhookHandler } from './fetch-adapter.js';
import type { NodeResponseLike } from './node-adapter.js';

const options = { appSecret: 'adapter-secret', verifyToken: 'tok' };
const BODY = JSON.stringify(envelope([items.message]));
const signed = async (body = BODY) => ({
  'content-type': 'application/json',
  'x-hub-signature-256': (await signWebhookBody(body, options.appSecret)).sha256,
});

describe('fastifyWebhook', () => {
  const build = async () => {
    const onMessage = vi.fn();
    const app = Fastify();
    // A JSON route elsewhere in the app keeps Fastify's default JSON parsing.
    app.post('/other', async (req) => ({ parsed: req.body }));
    await app.register(fastifyWebhook(new Bot().onMessage(onMessage), options), { prefix: '/webhook' });
    return { app, onMessage };
  };

  it('verifies and dispatches the raw body inside its own scope', async () => {
    const { app, onMessage } = await build();
    const res = await app.inject({ method: 'POST', url: '/webhook', headers: await signed(), payload: BODY });
    expect(res.statusCode).toBe(200);
    expect(onMessage).toHaveBeenCalledOnce();
    const other = await app.inject({ method: 'POST', url: '/other', payload: { a: 1 } });
    expect(other.json()).toEqual({ parsed: { a: 1 } });
  });

  it('answers the handshake and rejects unsigned posts', async () => {
    const { app } = await build();
    const hs = await app.inject({
      method: 'GET',
      url: '/webhook?hub.mode=subscribe&hub.verify_token=tok&hub.challenge=99',
    });
    expect([hs.statusCode, hs.body]).toEqual([200, '99']);
    const bad = await app.inject({
      method: 'POST',
      url: '/webhook',
      headers: { 'content-type': 'application/json' },
      payload: BODY,
    });
    expect(bad.statusCode).toBe(401);
  });
});

describe('expressWebhook', () => {
  const fakeRes = () => {
    const headers: Record<string, string> = {};
    let resolve!: (v: { status: number; body: string | undefined }) => void;
    const done = new Promise<{ status: number; body: string | undefined }>((r) => (resolve = r));
    const res: NodeResponseLike = {
      statusCode: 0,
      setHeader: (name, value) => (headers[name] = value),
      end(body) {
        resolve({ status: this.statusCode, body });
      },
    };
    return { res, done };
  };
  const req = (extra: Partial<ExpressRequestLike>, headers: Record<string, string>): ExpressRequestLike => ({
    method: 'POST',
    url: '/webhook',
    headers,
    async *[Symbol.asyncIterator]() {},
    ...extra,
  });

  it('uses a body left raw by express.raw()', async () => {
    const onMessage = vi.fn();
    const { res, done } = fakeRes();
    expressWebhook(new Bot().onMessage(onMessage), options)(req({ body: Buffer.from(BODY) }, await signed()), res);
    expect(await done).toEqual({ status: 200, body: 'EVENT_RECEIVED' });
    expect(onMessage).toHaveBeenCalledOnce();
  });

  it('uses req.rawBody saved by express.json({ verify })', async () => {
    const { res, done } = fakeRes();
    expressWebhook(new Bot(), options)(
      req({ body: JSON.parse(BODY), rawBody: Buffer.from(BODY) }, await signed()),
      res,
    );
    expect((await done).status).toBe(200);
  });

  it('fails loudly when the body was already parsed and the raw bytes are gone', async () => {
    const onError = vi.fn();
    const { res, done } = fakeRes();
    expressWebhook(new Bot(), { ...options, onError })(
      req({ body: JSON.parse(BODY), readableEnded: true }, await signed()),
      res,
    );
    expect((await done).status).toBe(500);
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ message: expect.stringMatching(/express\.raw/) });
  });

  it('reads the stream itself when mounted before any body parser', async () => {
    const server = createServer((rq, rs) => expressWebhook(new Bot(), options)(rq, rs));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`, {
        method: 'POST',
        headers: await signed(),
        body: BODY,
      });
      expect(res.status).toBe(200);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('fetchWebhookHandler', () => {
  it('serves handshake and signed posts as Fetch Request/Response', async () => {
    const handler = fetchWebhookHandler(new Bot(), options);
    const hs = await handler(
      new Request('http://bank.test/webhook?hub.mode=subscribe&hub.verify_token=tok&hub.challenge=5'),
    );
    expect(await hs.text()).toBe('5');
    const ok = await handler(
      new Request('http://bank.test/webhook', { method: 'POST', headers: await signed(), body: BODY }),
    );
    expect(ok.status).toBe(200);
    const bad = await handler(new Request('http://bank.test/webhook', { method: 'POST', body: BODY }));
    expect(bad.status).toBe(401);
  });
});

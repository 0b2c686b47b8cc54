import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serializeWebhookBody, signWebhookBody } from '@confide/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, items } from '../../test/fixtures.js';
import { Bot } from './bot.js';
import { createNodeHandler } from './node-adapter.js';

const APP_SECRET = 'node-secret';
const VERIFY_TOKEN = 'verify-me';

describe('createNodeHandler on a real http server', () => {
  const received: string[] = [];
  const errors: unknown[] = [];
  const bot = new Bot().onMessage((e) => void received.push(e.message.text ?? ''));
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer(
      createNodeHandler(bot, {
        appSecret: APP_SECRET,
        verifyToken: VERIFY_TOKEN,
        maxBodyBytes: 64 * 1024,
        onError: (e) => errors.push(e),
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers the GET handshake with the challenge', async () => {
    const res = await fetch(`${base}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('1158201444');
  });

  it('refuses a handshake with the wrong token', async () => {
    const res = await fetch(`${base}?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`);
    expect(res.status).toBe(403);
  });

  it('accepts a signed POST and dispatches it', async () => {
    const body = serializeWebhookBody(envelope([{ ...items.message, message: { mid: 'm_u', text: 'Grüße 🏦' } }]));
    const { sha1, sha256 } = await signWebhookBody(body, APP_SECRET);
    const res = await fetch(base, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature': sha1, 'x-hub-signature-256': sha256 },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('EVENT_RECEIVED');
    expect(received).toContain('Grüße 🏦');
  });

  it('accepts a POST signed with sha1 only (legacy hubs)', async () => {
    const body = JSON.stringify(envelope([items.message]));
    const { sha1 } = await signWebhookBody(body, APP_SECRET);
    const res = await fetch(base, { method: 'POST', headers: { 'x-hub-signature': sha1 }, body });
    expect(res.status).toBe(200);
  });

  it('rejects an unsigned POST without dispatching', async () => {
    const before = received.length;
    const res = await fetch(base, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(envelope([items.message])),
    });
    expect(res.status).toBe(401);
    expect(await res.text()).toMatch(/missing/);
    expect(received).toHaveLength(before);
  });

  it('rejects a POST whose body was changed after signing', async () => {
    const body = JSON.stringify(envelope([items.message]));
    const { sha256 } = await signWebhookBody(body, APP_SECRET);
    const res = await fetch(base, {
      method: 'POST',
      headers: { 'x-hub-signature-256': sha256 },
      body: body.replace('hello', 'HELLO'),
    });
    expect(res.status).toBe(401);
  });

  it('answers 400 to a signed body that is not JSON', async () => {
    const { sha256 } = await signWebhookBody('not json', APP_SECRET);
    const res = await fetch(base, { method: 'POST', headers: { 'x-hub-signature-256': sha256 }, body: 'not json' });
    expect(res.status).toBe(400);
  });

  it('answers 413 to a body over the limit', async () => {
    const res = await fetch(base, { method: 'POST', body: 'x'.repeat(65 * 1024) });
    expect(res.status).toBe(413);
  });

  it('answers 405 to other methods', async () => {
    const res = await fetch(base, { method: 'PUT', body: '{}' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST');
  });

  it('answers 500 when a handler fails, so the hub redelivers', async () => {
    const failing = new Bot().onMessage(() => {
      throw new Error('db down');
    });
    const handler = createNodeHandler(failing, {
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
      onError: (e) => errors.push(e),
    });
    const local = createServer(handler);
    await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
    try {
      const body = JSON.stringify(envelope([items.message]));
      const { sha256 } = await signWebhookBody(body, APP_SECRET);
      const res = await fetch(`http://127.0.0.1:${(local.address() as AddressInfo).port}/`, {
        method: 'POST',
        headers: { 'x-hub-signature-256': sha256 },
        body,
      });
      expect(res.status).toBe(500);
      expect(errors.at(-1)).toMatchObject({ message: 'db down' });
    } finally {
      await new Promise<void>((resolve) => local.close(() => resolve()));
    }
  });
});

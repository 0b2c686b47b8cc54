import v8 from 'node:v8';
import vm from 'node:vm';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { liveStreamRoute } from './live-socket.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const apps: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

/** A Fastify app with one live stream route; `opened` gets each upgrade's request and server socket. */
async function streamServer(opened: (request: FastifyRequest, socket: import('ws').WebSocket) => void) {
  const app = Fastify();
  apps.push(app);
  await app.register(websocket, { options: { maxPayload: 1024 } });
  await app.register(
    liveStreamRoute(
      '/stream',
      async () => undefined,
      (socket, request) => opened(request, socket),
    ),
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return `ws://127.0.0.1:${port}/stream`;
}

function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const client = new WebSocket(url);
    client.once('open', () => resolve(client));
    client.once('error', reject);
  });
}

async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
    if (ref.deref() === undefined) return true;
  }
  return false;
}

describe('liveStreamRoute', () => {
  it('keeps neither the upgrade request nor its placeholder response alive while the socket is open', async () => {
    let request: WeakRef<object> | undefined;
    let response: WeakRef<object> | undefined;
    let server: import('ws').WebSocket | undefined;
    const url = await streamServer((req, socket) => {
      request = new WeakRef(req);
      response = new WeakRef(req.raw.socket);
      server = socket;
    });
    const client = await connect(url);
    expect(server?.readyState).toBe(WebSocket.OPEN);
    expect(await collected(request!)).toBe(true);
    // The TCP socket itself is held by `ws`; it must not hold the HTTP response.
    const tcp = response!.deref() as { _httpMessage?: unknown } | undefined;
    expect(tcp?._httpMessage ?? null).toBeNull();
    client.close();
  });

  it('still ends a socket whose client breaks the protocol', async () => {
    let server: import('ws').WebSocket | undefined;
    const url = await streamServer((_req, socket) => (server = socket));
    const client = await connect(url);
    const closed = new Promise<number>((resolve) => client.once('close', (code) => resolve(code)));
    client.send('x'.repeat(4096)); // over maxPayload: `ws` emits an error on the server socket
    expect(await closed).toBe(1009); // "message too big", then the socket is gone
    expect(server?.readyState).toBe(WebSocket.CLOSED);
  });
});

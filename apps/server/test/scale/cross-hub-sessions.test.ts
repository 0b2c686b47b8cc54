/**
 * Sessions end on every hub: two hubs on one PostgreSQL schema and one NATS server; a
 * socket open on the realtime hub is closed with 4401 within a second of its session ending
 * on the api hub (logout, password change from another session, agent logout).
 */
import { StreamCloseCode } from '@confide/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { NatsBus } from '../../src/bus/nats-bus.js';
import type { Hub } from '../../src/hub.js';
import { createPage, signUp } from '../helpers.js';
import { buildScaleHub, createSharedSchema, uniquePrefix, type SharedSchema } from './scale-helpers.js';

const PASSWORD = 'correct horse battery';

/** A socket that records its `ready` frame and its close. */
function openSocket(url: string, cookie: string) {
  const ws = new WebSocket(url, { headers: { cookie } });
  const ready = new Promise<void>((resolve, reject) => {
    ws.on('message', (data) => {
      if ((JSON.parse(data.toString()) as { type: string }).type === 'ready') resolve();
    });
    ws.once('close', (code) => reject(new Error(`closed with ${code} before ready`)));
  });
  const closed = new Promise<{ code: number; at: number }>((resolve) =>
    ws.once('close', (code) => resolve({ code, at: Date.now() })),
  );
  return { ws, ready, closed };
}

describe('sessions ending across hubs on PostgreSQL + NATS', () => {
  let schema: SharedSchema;
  const hubs: Hub[] = [];
  const sockets: WebSocket[] = [];
  beforeEach(async () => {
    schema = await createSharedSchema();
  });
  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    for (const h of hubs.splice(0)) await h.close();
    await schema.drop();
  });

  /** Hub A serves sockets only, hub B the API only; both on the same NATS prefix. */
  async function twoHubs(): Promise<{ realtime: Hub; api: Hub; wsBase: string }> {
    const prefix = uniquePrefix();
    const realtime = await buildScaleHub(schema.url, prefix, { env: { SERVICES: 'realtime' } });
    hubs.push(realtime);
    const api = await buildScaleHub(schema.url, prefix, { env: { SERVICES: 'api' } });
    hubs.push(api);
    const wsBase = (await realtime.listen()).replace('http://', 'ws://');
    for (const hub of [realtime, api]) {
      if (!(hub.ctx.bus instanceof NatsBus)) throw new Error('expected a NatsBus');
      await hub.ctx.bus.connectedOnce();
    }
    return { realtime, api, wsBase };
  }

  function open(url: string, cookie: string) {
    const socket = openSocket(url, cookie);
    sockets.push(socket.ws);
    return socket;
  }

  async function expectEndedBy(socket: ReturnType<typeof openSocket>, action: () => Promise<unknown>): Promise<void> {
    const t0 = Date.now();
    await action();
    const closed = await Promise.race([socket.closed, new Promise<undefined>((r) => setTimeout(r, 1_500))]);
    expect(closed, 'socket still open 1.5 s after its session ended').toBeDefined();
    expect(closed?.code).toBe(StreamCloseCode.SESSION_ENDED);
    expect((closed?.at ?? Infinity) - t0).toBeLessThan(1_000);
  }

  it('closes a stream on hub A when its session logs out on hub B', async () => {
    const { api, wsBase } = await twoHubs();
    const alice = await signUp(api, 'alice', PASSWORD);
    const stream = open(`${wsBase}/api/stream`, alice.cookie);
    await stream.ready;
    await expectEndedBy(stream, async () => {
      const res = await api.app.inject({ method: 'POST', url: '/api/logout', headers: { cookie: alice.cookie } });
      expect(res.statusCode).toBe(204);
    });
  });

  it('closes the other sessions’ streams on hub A when the password changes on hub B', async () => {
    const { api, wsBase } = await twoHubs();
    const alice = await signUp(api, 'alice', PASSWORD);
    const login = await api.app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { username: 'alice', password: PASSWORD },
    });
    const stolen = `confide_session=${login.cookies.find((c) => c.name === 'confide_session')?.value}`;
    const attacker = open(`${wsBase}/api/stream`, stolen);
    const own = open(`${wsBase}/api/stream`, alice.cookie);
    await Promise.all([attacker.ready, own.ready]);
    await expectEndedBy(attacker, async () => {
      const res = await api.app.inject({
        method: 'POST',
        url: '/api/password',
        headers: { cookie: alice.cookie },
        payload: { current_password: PASSWORD, new_password: 'a brand new secret' },
      });
      expect(res.statusCode).toBe(204);
    });
    expect(own.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('closes an agent inbox stream on hub A when the agent logs out on hub B', async () => {
    const { api, wsBase } = await twoHubs();
    const page = await createPage(api);
    await api.services.agents.create({ pageId: page.page_id, username: 'ada', password: PASSWORD });
    const login = await api.app.inject({
      method: 'POST',
      url: '/inbox/api/login',
      payload: { username: 'ada', password: PASSWORD },
    });
    const cookie = `confide_agent=${login.cookies.find((c) => c.name === 'confide_agent')?.value}`;
    const inbox = open(`${wsBase}/inbox/api/stream`, cookie);
    await inbox.ready;
    await expectEndedBy(inbox, () => api.app.inject({ method: 'POST', url: '/inbox/api/logout', headers: { cookie } }));
  });
});

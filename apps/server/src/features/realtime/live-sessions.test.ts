/**
 * Sessions end everywhere at once: a logout, a password change from another session, an
 * account deletion or an agent logout closes the sockets of the ended session with 4401
 * within a second; the periodic re-check ends a socket whose session vanished without an
 * announcement.
 */
import { StreamCloseCode } from '@confide/protocol';
import type { FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { buildTestHub, createPage, DIALECTS, signUp, type DialectName, type TestHub } from '../../../test/helpers.js';
import { MemoryBus } from '../../bus/memory-bus.js';
import type { HubContext } from '../../context.js';
import { LiveSessions, type LiveSession, type SessionCheck } from './live-sessions.js';

describe('LiveSessions', () => {
  const flush = () => new Promise((r) => setTimeout(r, 0));
  function setUp(alive: Set<string>, failing = { on: false }) {
    const bus = new MemoryBus();
    const log = { warn: vi.fn() };
    const calls: string[][] = [];
    const check: SessionCheck = async (ids) => {
      calls.push(ids);
      if (failing.on) throw new Error('db down');
      return new Set(ids.filter((id) => alive.has(id)));
    };
    const sessions = new LiveSessions({ bus, log } as unknown as HubContext, { customer: check, agent: check }, 60_000);
    const watch = (session: LiveSession) => {
      const ended = { count: 0 };
      const stop = sessions.of({ liveSession: session } as FastifyRequest).watch(() => (ended.count += 1));
      return { ended, stop };
    };
    return { bus, log, calls, sessions, watch };
  }

  it('on a revocation, re-checks only that owner’s sockets and ends the dead ones', async () => {
    const alive = new Set(['h1', 'h2', 'h3']);
    const { bus, calls, sessions, watch } = setUp(alive);
    const a1 = watch({ kind: 'customer', ownerId: 'u1', idHash: 'h1' });
    const a2 = watch({ kind: 'customer', ownerId: 'u1', idHash: 'h2' });
    const other = watch({ kind: 'agent', ownerId: 'u1', idHash: 'h3' });
    alive.delete('h1');
    bus.publish({ name: 'session.revoked', kind: 'customer', ownerId: 'u1' });
    await flush();
    expect(calls).toEqual([['h1', 'h2']]);
    expect([a1.ended.count, a2.ended.count, other.ended.count]).toEqual([1, 0, 0]);
    a1.stop();
    expect(sessions.size).toBe(2);
    sessions.close();
  });

  it('checks a socket whose upgrade raced a revocation as soon as it is watched', async () => {
    const { bus, calls, sessions, watch } = setUp(new Set());
    bus.publish({ name: 'session.revoked', kind: 'customer', ownerId: 'u1' });
    const late = watch({ kind: 'customer', ownerId: 'u1', idHash: 'h1' });
    const unrelated = watch({ kind: 'customer', ownerId: 'u2', idHash: 'h2' });
    await flush();
    expect(calls).toEqual([['h1']]);
    expect([late.ended.count, unrelated.ended.count]).toEqual([1, 0]);
    sessions.close();
  });

  it('re-checks every socket in batches of 500, and keeps them when the check fails', async () => {
    const alive = new Set(Array.from({ length: 1200 }, (_, i) => `h${i}`));
    const failing = { on: true };
    const { calls, log, sessions, watch } = setUp(alive, failing);
    const all = Array.from({ length: 1200 }, (_, i) => watch({ kind: 'customer', ownerId: `u${i}`, idHash: `h${i}` }));
    await sessions.checkAll();
    expect(all.filter((w) => w.ended.count > 0)).toEqual([]);
    expect(log.warn).toHaveBeenCalled();
    failing.on = false;
    calls.length = 0;
    alive.delete('h700');
    await sessions.checkAll();
    expect(calls.map((c) => c.length)).toEqual([500, 500, 200]);
    expect(all.flatMap((w, i) => (w.ended.count > 0 ? [i] : []))).toEqual([700]);
    sessions.close();
  });

  it('refuses to watch a request its auth hook did not mark', () => {
    const { sessions } = setUp(new Set());
    expect(() => sessions.of({} as FastifyRequest)).toThrow();
    sessions.close();
  });
});

/** A socket that records its first `ready` frame and how and when it closed. */
class Socket {
  readonly ws: WebSocket;
  readonly ready: Promise<void>;
  readonly closed: Promise<{ code: number; at: number }>;
  constructor(url: string, cookie: string) {
    this.ws = new WebSocket(url, { headers: { cookie } });
    this.ready = new Promise((resolve, reject) => {
      this.ws.on('message', (data) => {
        if ((JSON.parse(data.toString()) as { type: string }).type === 'ready') resolve();
      });
      this.ws.once('error', reject);
      this.ws.once('close', (code) => reject(new Error(`closed with ${code} before ready`)));
    });
    this.closed = new Promise((resolve) => this.ws.once('close', (code) => resolve({ code, at: Date.now() })));
  }
  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }
}

const PASSWORD = 'correct horse battery';

for (const dialect of DIALECTS) {
  describe(`${dialect}: sockets end with their session`, () => {
    let hub: TestHub;
    let base: string;
    const sockets: Socket[] = [];

    async function start(env: Record<string, string> = {}, d: DialectName = dialect): Promise<void> {
      hub = await buildTestHub({ dialect: d, env: { SERVICES: 'api,realtime', ...env } });
      base = (await hub.listen()).replace('http://', 'ws://');
    }
    afterEach(async () => {
      for (const s of sockets.splice(0)) s.ws.terminate();
      await hub.dispose();
    });

    function open(path: string, cookie: string): Socket {
      const socket = new Socket(`${base}${path}`, cookie);
      sockets.push(socket);
      return socket;
    }

    async function logIn(username: string): Promise<string> {
      const res = await hub.app.inject({
        method: 'POST',
        url: '/api/login',
        payload: { username, password: PASSWORD },
      });
      expect(res.statusCode).toBe(200);
      return `confide_session=${res.cookies.find((c) => c.name === 'confide_session')?.value}`;
    }

    /** Runs `action` and expects `socket` closed with 4401 within a second of it. */
    async function expectEndedBy(socket: Socket, action: () => Promise<unknown>): Promise<void> {
      const t0 = Date.now();
      await action();
      const closed = await Promise.race([socket.closed, new Promise<undefined>((r) => setTimeout(r, 1_500))]);
      expect(closed, 'socket still open 1.5 s after its session ended').toBeDefined();
      expect(closed?.code).toBe(StreamCloseCode.SESSION_ENDED);
      expect((closed?.at ?? Infinity) - t0).toBeLessThan(1_000);
    }

    it('closes the stream of a session that logs out, and only that one', async () => {
      await start();
      const alice = await signUp(hub, 'alice', PASSWORD);
      const otherCookie = await logIn('alice');
      const stream = open('/api/stream', alice.cookie);
      const other = open('/api/stream', otherCookie);
      await Promise.all([stream.ready, other.ready]);
      await expectEndedBy(stream, () =>
        hub.app.inject({ method: 'POST', url: '/api/logout', headers: { cookie: alice.cookie } }),
      );
      expect(other.open).toBe(true);
    });

    it('closes the streams of the sessions a password change from another session ends', async () => {
      await start();
      const alice = await signUp(hub, 'alice', PASSWORD);
      const stolen = await logIn('alice');
      const attacker = open('/api/stream', stolen);
      const own = open('/api/stream', alice.cookie);
      await Promise.all([attacker.ready, own.ready]);
      await expectEndedBy(attacker, async () => {
        const res = await hub.app.inject({
          method: 'POST',
          url: '/api/password',
          headers: { cookie: alice.cookie },
          payload: { current_password: PASSWORD, new_password: 'a brand new secret' },
        });
        expect(res.statusCode).toBe(204);
      });
      expect(own.open).toBe(true);
    });

    it('closes the stream when the customer deletes their account', async () => {
      await start();
      const alice = await signUp(hub, 'alice', PASSWORD);
      const stream = open('/api/stream', alice.cookie);
      await stream.ready;
      await expectEndedBy(stream, async () => {
        const res = await hub.app.inject({
          method: 'DELETE',
          url: '/api/account',
          headers: { cookie: alice.cookie },
          payload: { password: PASSWORD },
        });
        expect(res.statusCode).toBe(204);
      });
    });

    it('closes the agent inbox stream when the agent logs out', async () => {
      await start();
      const page = await createPage(hub);
      await hub.services.agents.create({ pageId: page.page_id, username: 'ada', password: PASSWORD });
      const login = await hub.app.inject({
        method: 'POST',
        url: '/inbox/api/login',
        payload: { username: 'ada', password: PASSWORD },
      });
      const cookie = `confide_agent=${login.cookies.find((c) => c.name === 'confide_agent')?.value}`;
      const inbox = open('/inbox/api/stream', cookie);
      await inbox.ready;
      await expectEndedBy(inbox, () =>
        hub.app.inject({ method: 'POST', url: '/inbox/api/logout', headers: { cookie } }),
      );
    });

    it('re-checks open sockets periodically: a session gone without an announcement still ends them', async () => {
      await start({ SESSION_RECHECK_MS: '200' });
      const alice = await signUp(hub, 'alice', PASSWORD);
      const page = await createPage(hub);
      await hub.services.agents.create({ pageId: page.page_id, username: 'ada', password: PASSWORD });
      const login = await hub.app.inject({
        method: 'POST',
        url: '/inbox/api/login',
        payload: { username: 'ada', password: PASSWORD },
      });
      const agentCookie = `confide_agent=${login.cookies.find((c) => c.name === 'confide_agent')?.value}`;
      const stream = open('/api/stream', alice.cookie);
      const inbox = open('/inbox/api/stream', agentCookie);
      await Promise.all([stream.ready, inbox.ready]);
      // Straight in the database: nothing is published on the bus.
      await expectEndedBy(stream, () => hub.ctx.storage.db.deleteFrom('sessions').execute());
      await expectEndedBy(inbox, () =>
        hub.ctx.storage.db.updateTable('agent_sessions').set({ expires_at: 0 }).execute(),
      );
    });

    it('keeps sockets of live sessions open across re-checks', async () => {
      await start({ SESSION_RECHECK_MS: '100' });
      const alice = await signUp(hub, 'alice', PASSWORD);
      const stream = open('/api/stream', alice.cookie);
      await stream.ready;
      await new Promise((r) => setTimeout(r, 400));
      expect(stream.open).toBe(true);
    });
  });
}

import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import type { BusEvent } from '../../bus/events.js';
import { MemoryBus } from '../../bus/memory-bus.js';
import type { HubContext } from '../../context.js';
import { CLOSE_SESSION_ENDED, CLOSE_SLOW_CONSUMER, LiveSocket } from './live-socket.js';

type Frame = { type: string };

/** A stand-in for a `ws` socket: records what the hub sends and how it closes. */
class FakeSocket extends EventEmitter {
  bufferedAmount = 0;
  readonly sent: Frame[] = [];
  /** The TCP socket under it, as `ws` keeps it; absent unless a test gives one. */
  _socket: { cork(): void; uncork(): void } | undefined;
  /** What the socket and its TCP socket were asked to do, in order. */
  readonly calls: string[] = [];
  pings = 0;
  closedWith: [number, string] | undefined;
  send(data: string): void {
    this.sent.push(JSON.parse(data) as Frame);
    this.calls.push(`send ${(JSON.parse(data) as Frame).type}`);
  }
  ping(): void {
    this.pings += 1;
  }
  close(code: number, reason: string): void {
    this.closedWith ??= [code, reason];
  }
}

function setUp(options: { badFrameAnswer?: Frame; flush?: () => Promise<void>; tcp?: boolean } = {}) {
  const bus = new MemoryBus();
  let reconnect: (() => void) | undefined;
  const reconnectable = Object.assign(bus, {
    flush: options.flush,
    onReconnect: (handler: () => void) => {
      reconnect = handler;
      return () => (reconnect = undefined);
    },
  });
  const gauge = { value: 0, inc: () => (gauge.value += 1), dec: () => (gauge.value -= 1) };
  const log = { error: vi.fn() };
  const ctx = { bus: reconnectable, metrics: { wsConnections: gauge }, log } as unknown as HubContext;
  const socket = new FakeSocket();
  if (options.tcp === true)
    socket._socket = { cork: () => void socket.calls.push('cork'), uncork: () => void socket.calls.push('uncork') };
  const session = { end: undefined as (() => void) | undefined, watching: false };
  const conn = new LiveSocket<Frame>(ctx, socket as unknown as WebSocket, {
    session: {
      watch: (end) => {
        session.end = end;
        session.watching = true;
        return () => void (session.watching = false);
      },
    },
    maxBuffered: 100,
    slowConsumerReason: () => 'too slow',
    ...(options.badFrameAnswer && { badFrameAnswer: options.badFrameAnswer }),
  });
  return { bus, socket, conn, gauge, log, session, reconnect: () => reconnect?.() };
}

const inboxEvent: BusEvent = { name: 'inbox.changed', pageId: 'p1', conversationId: 'c1', change: 'queued' };

describe('LiveSocket', () => {
  it('answers ping frames with a WebSocket ping, and bad frames only when told to', () => {
    const quiet = setUp();
    quiet.socket.emit('message', Buffer.from('{"type":"ping"}'));
    quiet.socket.emit('message', Buffer.from('not json'));
    expect(quiet.socket.pings).toBe(1);
    expect(quiet.socket.sent).toEqual([]);

    const strict = setUp({ badFrameAnswer: { type: 'error' } });
    strict.socket.emit('message', Buffer.from('{"type":"nope"}'));
    expect(strict.socket.sent).toEqual([{ type: 'error' }]);
  });

  it('closes a slow consumer with 4008 and sends nothing more', () => {
    const { socket, conn } = setUp();
    expect(conn.send({ type: 'a' })).toBe(true);
    socket.bufferedAmount = 101;
    expect(conn.send({ type: 'b' })).toBe(false);
    expect(socket.closedWith).toEqual([CLOSE_SLOW_CONSUMER, 'too slow']);
    expect(conn.closed).toBe(true);
    socket.bufferedAmount = 0;
    expect(conn.send({ type: 'c' })).toBe(false);
    expect(socket.sent).toEqual([{ type: 'a' }]);
  });

  it('sends the frames of one synchronous run in one write: the TCP socket is corked for them, uncorked once after', async () => {
    const first = setUp({ tcp: true });
    const second = setUp({ tcp: true });
    first.conn.send({ type: 'a' });
    second.conn.send({ type: 'x' });
    first.conn.send({ type: 'b' });
    expect(first.socket.calls).toEqual(['cork', 'send a', 'send b']);
    await Promise.resolve();
    expect(first.socket.calls).toEqual(['cork', 'send a', 'send b', 'uncork']);
    expect(second.socket.calls).toEqual(['cork', 'send x', 'uncork']);
    // A later run corks again.
    first.conn.send({ type: 'c' });
    await Promise.resolve();
    expect(first.socket.calls.slice(4)).toEqual(['cork', 'send c', 'uncork']);
  });

  it('follows a topic and the bus reconnects until the socket closes, counting the connection', () => {
    const { bus, socket, conn, gauge, reconnect } = setUp();
    const events: BusEvent[] = [];
    let reconnects = 0;
    conn.follow(
      'inbox.p1',
      (e) => events.push(e),
      () => (reconnects += 1),
    );
    expect(gauge.value).toBe(1);
    bus.publish(inboxEvent);
    reconnect();
    socket.emit('close');
    bus.publish(inboxEvent);
    reconnect();
    expect(events).toEqual([inboxEvent]);
    expect(reconnects).toBe(1);
    expect(gauge.value).toBe(0);
  });

  it('closes with 4401 once its session ends, sends nothing more, and stops watching when closed', () => {
    const { socket, conn, session } = setUp();
    expect(session.watching).toBe(true);
    session.end?.();
    session.end?.();
    expect(socket.closedWith).toEqual([CLOSE_SESSION_ENDED, 'session ended']);
    expect(CLOSE_SESSION_ENDED).toBe(4401);
    expect(conn.send({ type: 'a' })).toBe(false);
    expect(socket.sent).toEqual([]);
    socket.emit('close');
    expect(session.watching).toBe(false);
  });

  it('starts after the bus flush, and closes with 1011 when starting fails', async () => {
    const order: string[] = [];
    const ok = setUp({ flush: async () => void order.push('flush') });
    await ok.conn.start(() => void order.push('begin'), { message: 'failed' });
    expect(order).toEqual(['flush', 'begin']);

    const failing = setUp();
    await failing.conn.start(
      async () => {
        throw new Error('db down');
      },
      { message: 'stream failed', fields: { customerId: 'c1' } },
    );
    expect(failing.socket.closedWith).toEqual([1011, 'stream error']);
    expect(failing.log.error).toHaveBeenCalledWith(expect.objectContaining({ customerId: 'c1' }), 'stream failed');
  });
});

import { randomBytes } from 'node:crypto';
import { connect } from 'nats';
import { afterEach, expect, it } from 'vitest';
import { NATS_URL, describeWithNats } from '../../test/nats.js';
import { TcpProxy } from '../../test/scale/tcp-proxy.js';
import type { BusEvent } from './events.js';
import { NatsBus, busFromConfig } from './nats-bus.js';
import { MemoryBus } from './memory-bus.js';

function frame(customerId: string, text: string, cursor: number): BusEvent {
  return {
    name: 'customer.frame',
    customerId,
    frame: {
      type: 'message',
      cursor,
      message: {
        mid: `m_${cursor}`,
        conversation_id: 'c_1',
        direction: 'out',
        created_at: 1,
        body: { text },
        tag: null,
      },
    },
  };
}

/** Collects events of one topic; `next()` resolves with the next one to arrive. */
function collector() {
  const events: BusEvent[] = [];
  const waiters: Array<() => void> = [];
  return {
    events,
    handler: (e: BusEvent) => {
      events.push(e);
      for (const w of waiters.splice(0)) w();
    },
    async count(n: number): Promise<BusEvent[]> {
      while (events.length < n) await new Promise<void>((r) => waiters.push(r));
      return events;
    },
  };
}

async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((r) => setTimeout(r, 10));
}

describeWithNats('NatsBus', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const bus = (options: Partial<ConstructorParameters<typeof NatsBus>[0]> = {}) => {
    const b = new NatsBus({ servers: NATS_URL, prefix, reconnectBaseMs: 20, reconnectMaxMs: 200, ...options });
    open.push(b);
    return b;
  };
  afterEach(async () => {
    for (const b of open.splice(0)) await b.close();
  });

  it('delivers an event published on one connection to a subscriber on another', async () => {
    const a = bus();
    const b = bus();
    await Promise.all([a.connectedOnce(), b.connectedOnce()]);
    const got = collector();
    b.subscribe('customer.u_1', got.handler);
    await b.flush();
    a.publish(frame('u_1', 'hello', 1));
    const [event] = await got.count(1);
    expect(event).toEqual(frame('u_1', 'hello', 1));
    expect(a.stats).toMatchObject({ published: 1, dropped: 0 });
  });

  it('carries session revocations and page profile changes to other processes', async () => {
    const a = bus();
    const b = bus();
    await Promise.all([a.connectedOnce(), b.connectedOnce()]);
    const sessions = collector();
    const profiles = collector();
    b.subscribe('session.revoked', sessions.handler);
    b.subscribe('page.profile', profiles.handler);
    await b.flush();
    const revoked: BusEvent = { name: 'session.revoked', kind: 'agent', ownerId: 'ag_1' };
    a.publish(revoked);
    a.publish({ name: 'page.profile', pageId: 'p_1' });
    expect(await sessions.count(1)).toEqual([revoked]);
    expect(await profiles.count(1)).toEqual([{ name: 'page.profile', pageId: 'p_1' }]);
    expect(b.stats.rejected).toBe(0);
  });

  it('delivers to local subscribers once, not again through NATS', async () => {
    const a = bus();
    await a.connectedOnce();
    const local = collector();
    a.subscribe('customer.u_2', local.handler);
    await a.flush();
    a.publish(frame('u_2', 'once', 1));
    expect(local.events).toHaveLength(1);
    // The server answers our PING after any echo of the PUB before it: none may come.
    await a.flush();
    expect(local.events).toHaveLength(1);
    expect(a.stats.published).toBe(1);
  });

  it('stops delivery after unsubscribe, and keeps other subscribers of the topic', async () => {
    const a = bus();
    const b = bus();
    await Promise.all([a.connectedOnce(), b.connectedOnce()]);
    const first = collector();
    const second = collector();
    const marker = collector();
    const off = b.subscribe('customer.u_3', first.handler);
    b.subscribe('customer.u_3', second.handler);
    b.subscribe('customer.marker', marker.handler);
    await b.flush();
    a.publish(frame('u_3', 'one', 1));
    await Promise.all([first.count(1), second.count(1)]);

    off();
    a.publish(frame('u_3', 'two', 2));
    a.publish(frame('marker', 'end', 1));
    await Promise.all([second.count(2), marker.count(1)]);
    expect(first.events).toHaveLength(1);
  });

  it('rejects malformed messages and events on the wrong subject', async () => {
    const b = bus();
    await b.connectedOnce();
    const got = collector();
    b.subscribe('customer.u_5', got.handler);
    await b.flush();
    const raw = await connect({ servers: NATS_URL });
    raw.publish(`${prefix}.customer.u_5`, 'not json');
    raw.publish(
      `${prefix}.customer.u_5`,
      JSON.stringify({ name: 'customer.frame', customerId: 'u_5', frame: { type: 'bogus' } }),
    );
    raw.publish(`${prefix}.customer.u_5`, JSON.stringify(frame('u_other', 'misrouted', 1)));
    raw.publish(`${prefix}.customer.u_5`, JSON.stringify(frame('u_5', 'valid', 1)));
    await raw.drain();
    const [event] = await got.count(1);
    expect(event).toEqual(frame('u_5', 'valid', 1));
    expect(b.stats.rejected).toBe(3);
  });

  it('neither throws nor blocks while NATS is unreachable; local subscribers still get events', async () => {
    const down = bus({ servers: 'nats://127.0.0.1:1' });
    const local = collector();
    down.subscribe('customer.u_6', local.handler);
    await down.flush(); // resolves at once: nothing to flush to
    for (let i = 1; i <= 1000; i++) expect(() => down.publish(frame('u_6', `m${i}`, i))).not.toThrow();
    expect(local.events).toHaveLength(1000);
    expect(down.connected).toBe(false);
    expect(down.stats).toMatchObject({ published: 0, dropped: 1000 });
    // close() stops the reconnect loop instead of waiting for a server.
    await down.close();
  });

  it('reconnects after an outage, re-subscribes, and tells onReconnect handlers', async () => {
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port: Number(new URL(NATS_URL).port || 4222) });
    open.push(proxy);
    const viaProxy = bus({ servers: proxy.url });
    const direct = bus();
    const got = collector();
    let reconnects = 0;
    viaProxy.onReconnect(() => reconnects++);
    viaProxy.subscribe('customer.u_7', got.handler);
    await Promise.all([viaProxy.connectedOnce(), direct.connectedOnce()]);
    expect(reconnects).toBe(1);

    proxy.cut();
    await until(() => !viaProxy.connected);
    viaProxy.publish(frame('u_7', 'during outage', 1));
    expect(viaProxy.stats.dropped).toBe(1);

    proxy.restore();
    await until(() => reconnects === 2);
    expect(viaProxy.connected).toBe(true);
    direct.publish(frame('u_7', 'after', 2));
    await got.count(2);
    expect(
      got.events.map((e) =>
        e.name === 'customer.frame' && e.frame.type === 'message' ? e.frame.message.body.text : '',
      ),
    ).toEqual(['during outage', 'after']);
    expect(viaProxy.stats.connects).toBe(2);
  });

  it('is chosen by busFromConfig only when NATS_URL is set', async () => {
    expect(busFromConfig({ NATS_URL: undefined, NATS_SUBJECT_PREFIX: 'confide' })).toBeInstanceOf(MemoryBus);
    expect(busFromConfig({ NATS_URL: '', NATS_SUBJECT_PREFIX: 'confide' })).toBeInstanceOf(MemoryBus);
    const chosen = busFromConfig({ NATS_URL: NATS_URL, NATS_SUBJECT_PREFIX: prefix });
    open.push(chosen);
    expect(chosen).toBeInstanceOf(NatsBus);
    expect(() => new NatsBus({ servers: NATS_URL, prefix: 'bad.>' })).toThrow(/prefix/);
  });
});

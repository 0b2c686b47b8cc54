/**
 * Several hubs on one PostgreSQL schema and one NATS server, each with its own NATS
 * connection, in this test process: real time crosses hubs, a stream resumes on another
 * hub by cursor, and a bus outage is healed by re-sync from the database.
 */
import { Registry } from 'prom-client';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { NatsBus } from '../../src/bus/nats-bus.js';
import { findConversationOfCustomer } from '../../src/features/conversations/store.js';
import { appendMessage } from '../../src/timeline/index.js';
import type { Hub } from '../../src/hub.js';
import { createPage, openConversation, signUp } from '../helpers.js';
import {
  NATS_URL,
  StreamClient,
  buildScaleHub,
  createSharedSchema,
  uniquePrefix,
  until,
  type SharedSchema,
} from './scale-helpers.js';
import { describeWithNats } from '../nats.js';
import { TcpProxy } from './tcp-proxy.js';

/** The business writes a message through `hub` (its storage and its bus), as a Send API call would. */
async function businessSays(hub: Hub, customerId: string, conversationId: string, text: string): Promise<void> {
  await hub.ctx.storage.writes.run(async (tx) => {
    const conversation = await findConversationOfCustomer(tx.db, customerId, conversationId);
    if (conversation === undefined) throw new Error('no conversation');
    return appendMessage(tx, hub.ctx.bus, { conversation, direction: 'out', body: { text }, now: Date.now() });
  });
}

async function customerSays(hub: Hub, cookie: string, conversationId: string, text: string): Promise<void> {
  const res = await hub.app.inject({
    method: 'POST',
    url: `/api/conversations/${conversationId}/messages`,
    headers: { cookie },
    payload: { text },
  });
  if (res.statusCode !== 201) throw new Error(`send failed: ${res.statusCode} ${res.body}`);
}

function connectedBus(hub: Hub): Promise<void> {
  if (!(hub.ctx.bus instanceof NatsBus)) throw new Error('expected a NatsBus: NATS_URL selects it');
  return hub.ctx.bus.connectedOnce();
}

describeWithNats('hubs sharing PostgreSQL and NATS', () => {
  let schema: SharedSchema;
  const hubs: Hub[] = [];
  const clients: StreamClient[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  beforeEach(async () => {
    schema = await createSharedSchema();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    for (const h of hubs.splice(0)) await h.close();
    for (const f of cleanups.splice(0)) await f();
    await schema.drop();
  });

  async function start(
    prefix: string,
    env: Record<string, string> = {},
    bus?: NatsBus,
  ): Promise<{ hub: Hub; url: string }> {
    const hub = await buildScaleHub(schema.url, prefix, { env, ...(bus === undefined ? {} : { bus }) });
    hubs.push(hub);
    const url = await hub.listen();
    await connectedBus(hub);
    return { hub, url };
  }

  function stream(url: string, cookie: string, cursor?: number): StreamClient {
    const client = new StreamClient(url, cookie, cursor);
    clients.push(client);
    return client;
  }

  it('delivers in real time to a socket on a realtime-only hub what an api-only hub records', async () => {
    const prefix = uniquePrefix();
    const a = await start(prefix, { SERVICES: 'realtime' });
    const b = await start(prefix, { SERVICES: 'api' });
    const alice = await signUp(b.hub);
    const bank = await createPage(b.hub);
    const conv = await openConversation(b.hub, alice.cookie, bank.page_id);

    const onA = stream(a.url, alice.cookie);
    await onA.ready();
    await customerSays(b.hub, alice.cookie, conv.id, 'from the api hub');
    await onA.messages(1);
    await businessSays(b.hub, alice.id, conv.id, 'reply through the api hub');
    await onA.messages(2);

    expect(onA.texts()).toEqual(['from the api hub', 'reply through the api hub']);
    // NATS_URL selected the NatsBus; its metrics are on the hub's /metrics.
    expect((await a.hub.app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/^confide_bus_connected 1$/m);
    // A process without `api` does not serve the API; one without `realtime` has no stream.
    expect(
      (await a.hub.app.inject({ method: 'GET', url: '/api/conversations', headers: { cookie: alice.cookie } }))
        .statusCode,
    ).toBe(404);
    expect(
      (await b.hub.app.inject({ method: 'GET', url: '/api/stream', headers: { cookie: alice.cookie } })).statusCode,
    ).toBe(404);
  });

  it('resumes a socket dropped from hub A on hub B by cursor: nothing lost, nothing doubled', async () => {
    const prefix = uniquePrefix();
    const a = await start(prefix);
    const b = await start(prefix);
    const alice = await signUp(a.hub);
    const bank = await createPage(a.hub);
    const conv = await openConversation(a.hub, alice.cookie, bank.page_id);

    const first = stream(a.url, alice.cookie);
    await first.ready();
    await businessSays(b.hub, alice.id, conv.id, 'm1');
    await customerSays(b.hub, alice.cookie, conv.id, 'm2');
    await first.messages(2);
    await first.close();

    // Written while the customer is offline, on both hubs.
    await businessSays(a.hub, alice.id, conv.id, 'm3');
    await customerSays(b.hub, alice.cookie, conv.id, 'm4');

    const second = stream(b.url, alice.cookie, first.lastCursor());
    await second.ready();
    await businessSays(a.hub, alice.id, conv.id, 'm5');
    await second.messages(3);

    expect(first.texts()).toEqual(['m1', 'm2']);
    expect(second.texts()).toEqual(['m3', 'm4', 'm5']);
    const cursors = [...first.cursors(), ...second.cursors()];
    expect(new Set(cursors).size).toBe(cursors.length);
    expect(cursors).toEqual([...cursors].sort((x, y) => x - y));
  });

  it('re-syncs open streams from the database after a bus outage, exactly once', async () => {
    const prefix = uniquePrefix();
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port: Number(new URL(NATS_URL).port || 4222) });
    cleanups.push(() => proxy.close());
    const registry = new Registry();
    const busA = new NatsBus({ servers: proxy.url, prefix, registry, reconnectBaseMs: 20, reconnectMaxMs: 200 });
    const a = await start(prefix, {}, busA);
    const b = await start(prefix);
    const alice = await signUp(b.hub);
    const bank = await createPage(b.hub);
    const conv = await openConversation(b.hub, alice.cookie, bank.page_id);

    const onA = stream(a.url, alice.cookie);
    await onA.ready();
    await businessSays(b.hub, alice.id, conv.id, 'before');
    await onA.messages(1);

    proxy.cut();
    await until(() => !busA.connected);
    // Committed while hub A cannot hear the bus: stored, but not delivered live.
    await businessSays(b.hub, alice.id, conv.id, 'during 1');
    await customerSays(b.hub, alice.cookie, conv.id, 'during 2');
    // Hub A's own writes while cut: its NATS copy is dropped and counted.
    await businessSays(a.hub, alice.id, conv.id, 'during 3 (hub A)');
    expect(busA.stats.dropped).toBeGreaterThan(0);
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/^confide_bus_dropped_total [1-9]/m);
    expect(metrics).toMatch(/^confide_bus_connected 0$/m);

    proxy.restore();
    await onA.messages(4);
    await businessSays(b.hub, alice.id, conv.id, 'after');
    await onA.messages(5);

    expect(onA.texts()).toEqual(['before', 'during 1', 'during 2', 'during 3 (hub A)', 'after']);
    const cursors = onA.cursors();
    expect(new Set(cursors).size).toBe(cursors.length);
    expect(busA.stats.connects).toBe(2);
  });
});

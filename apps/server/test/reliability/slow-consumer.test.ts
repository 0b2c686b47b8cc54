/**
 * A customer whose WebSocket never reads (the client pauses its socket) while the business
 * sends many messages: the hub closes it with 4008 once its send buffer passes the limit,
 * stops queueing frames for it (memory stays bounded), and the customer resumes from the
 * last cursor it received with nothing lost and nothing doubled.
 */
import type { ServerFrame } from '@confide/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildGraphFixture } from '../contract/graph-fixtures.js';
import { buildTestHub, createPage, type TestHub } from '../helpers.js';
import { StreamClient } from '../scale/scale-helpers.js';

/** The hub's limit (features/realtime/stream.ts). */
const MAX_BUFFERED = 4 * 1024 * 1024;
const TEXT = 'x'.repeat(1990);
/** Upper bound of messages sent while waiting for the close (kernel buffers absorb several MB first). */
const MAX_MESSAGES = 30_000;

describe('slow WebSocket consumer', () => {
  let hub: TestHub | undefined;
  const clients: StreamClient[] = [];
  afterAll(async () => {
    for (const c of clients) {
      c.ws.resume();
      await c.close();
    }
    await hub?.dispose();
  });

  it('is closed with 4008 once past the buffer limit, queues nothing more, and resumes from its cursor', async () => {
    hub = await buildTestHub({ env: { SEND_RATE_LIMIT_PER_PAGE: '1000000', SERVICES: 'api,realtime' } });
    const url = await hub.listen();
    const fx = await buildGraphFixture(hub, { page: await createPage(hub) });
    const h = hub;
    const send = async (i: number): Promise<string> => {
      const res = await h.app.inject({
        method: 'POST',
        url: `/v25.0/me/messages?access_token=${fx.page.page_access_token}`,
        payload: { recipient: { id: fx.psid }, messaging_type: 'RESPONSE', message: { text: `${i} ${TEXT}` } },
      });
      if (res.statusCode !== 200) throw new Error(`send ${i}: ${res.statusCode} ${res.body}`);
      return res.json().message_id as string;
    };

    const slow = new StreamClient(url, fx.customer.cookie, 0);
    clients.push(slow);
    await slow.ready();
    slow.ws.pause();
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      slow.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    const serverSide = [...h.app.websocketServer.clients][0] as WebSocket;
    expect(serverSide.readyState).toBe(WebSocket.OPEN);

    // The business sends until the hub gives up on the reader (bounded in count).
    const mids: string[] = [];
    let next = 0;
    const senders = Array.from({ length: 8 }, async () => {
      while (serverSide.readyState === WebSocket.OPEN && next < MAX_MESSAGES) mids.push(await send(next++));
    });
    await Promise.all(senders);
    expect(serverSide.readyState).toBe(WebSocket.CLOSING);
    const bufferedAtClose = serverSide.bufferedAmount;
    expect(bufferedAtClose).toBeGreaterThan(MAX_BUFFERED);

    // Once closed, nothing more is queued for it, however much the business sends.
    for (let i = 0; i < 300; i++) mids.push(await send(next++));
    expect(serverSide.bufferedAmount).toBeLessThanOrEqual(bufferedAtClose);
    // The socket is closed on the first frame past the limit: the overshoot is at most one frame.
    expect(bufferedAtClose).toBeLessThan(MAX_BUFFERED + 64 * 1024);

    // The client reads what was sent before the close, then the 4008 close frame.
    slow.ws.resume();
    const { code, reason } = await closed;
    expect(code).toBe(4008);
    expect(reason).toMatch(/resume from cursor \d+/);
    const firstMids = slow.frames.flatMap((f: ServerFrame) => (f.type === 'message' ? [f.message.mid] : []));
    const cursor = slow.lastCursor();
    expect(cursor).toBeGreaterThan(0);

    // Resuming from the last cursor it saw: the rest, exactly once.
    const resumed = new StreamClient(url, fx.customer.cookie, cursor);
    clients.push(resumed);
    await resumed.ready();
    const restMids = resumed.frames.flatMap((f: ServerFrame) => (f.type === 'message' ? [f.message.mid] : []));
    const all = [...firstMids, ...restMids];
    expect(all.length - new Set(all).size).toBe(0);
    const seen = new Set(all);
    expect(mids.filter((m) => !seen.has(m))).toEqual([]);
    expect(resumed.cursors().every((c) => c > cursor)).toBe(true);
    process.stdout.write(
      `slow consumer: closed after ${next - 300} messages with ${bufferedAtClose} bytes buffered; read ${firstMids.length} before the close, ${restMids.length} on resume\n`,
    );
  }, 60_000);
});

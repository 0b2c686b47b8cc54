/**
 * `message_deliveries` webhooks: business messages written to the customer's socket or fetched
 * by the app produce `{delivery: {mids, watermark}}` for subscribed apps, gathered (not one
 * webhook per message), each mid once however many tabs or refetches. Both dialects.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { buildTestHub, DIALECTS, type TestHub } from '../../../test/helpers.js';
import { buildGraphFixture, textSend, type GraphFixture } from '../../../test/contract/graph-fixtures.js';

type Item = {
  sender: { id: string };
  recipient: { id: string };
  timestamp: number;
  delivery?: { mids: string[]; watermark: number };
};

for (const dialect of DIALECTS) {
  describe(`${dialect}: message_deliveries`, () => {
    let hub: TestHub;
    let fx: GraphFixture;
    let receiver: http.Server;
    let items: Item[];
    let port: number;

    beforeEach(async () => {
      hub = await buildTestHub({ dialect, env: { DELIVERY_RECEIPT_FLUSH_MS: '300', WEBHOOK_POLL_MS: '50' } });
      fx = await buildGraphFixture(hub);
      items = [];
      receiver = http.createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (req.method === 'GET') return void res.end(url.searchParams.get('hub.challenge'));
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { entry: Array<{ messaging: Item[] }> };
          items.push(...body.entry.flatMap((e) => e.messaging));
          res.end('ok');
        });
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      port = (receiver.address() as AddressInfo).port;
    });
    afterEach(async () => {
      await hub.dispose();
      await new Promise((r) => receiver.close(r));
    });

    const subscribe = (fields: string[]) =>
      hub.services.webhooks.subscribe({
        pageId: fx.page.page_id,
        url: `http://127.0.0.1:${port}/wh`,
        verifyToken: 'v',
        fields,
      });
    const send = async (text: string): Promise<string> => {
      const res = await hub.app.inject({
        method: 'POST',
        url: `/me/messages?access_token=${fx.page.page_access_token}`,
        payload: textSend(fx.psid, text),
      });
      expect(res.statusCode).toBe(200);
      return res.json().message_id as string;
    };
    const deliveries = () => items.filter((i) => i.delivery !== undefined);
    const deliveredMids = () => deliveries().flatMap((i) => i.delivery?.mids ?? []);
    const until = async (predicate: () => boolean, what: string) => {
      const deadline = Date.now() + 10_000;
      while (!predicate()) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(deliveries())}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    const openStream = async (): Promise<WebSocket> => {
      const base = (await hub.listen()).replace('http://', 'ws://');
      const ws = new WebSocket(`${base}/api/stream`, { headers: { cookie: fx.customer.cookie } });
      await new Promise((resolve, reject) => {
        ws.once('message', resolve); // the ready frame
        ws.once('error', reject);
      });
      return ws;
    };

    it('frames written to the customer socket are reported, gathered, each mid once, in Meta’s shape', async () => {
      await subscribe(['messages', 'message_deliveries']);
      const ws = await openStream();
      const mids = await Promise.all(Array.from({ length: 20 }, (_, i) => send(`m${i}`)));
      await until(() => new Set(deliveredMids()).size === 20, '20 delivered mids');
      ws.close();
      expect(deliveredMids().sort()).toEqual([...mids].sort());
      // Gathered per flush period, not one webhook per frame.
      expect(deliveries().length).toBeLessThan(20);
      for (const d of deliveries()) {
        expect(d.sender).toEqual({ id: fx.psid });
        expect(d.recipient).toEqual({ id: fx.page.page_id });
        expect(Object.keys(d)).toEqual(['sender', 'recipient', 'timestamp', 'delivery']);
      }
      const rows = await hub.ctx.storage.db
        .selectFrom('messages')
        .select(['mid', 'created_at'])
        .where('direction', '=', 'out')
        .execute();
      expect(Math.max(...deliveries().map((d) => d.delivery?.watermark ?? 0))).toBe(
        Math.max(...rows.map((r) => Number(r.created_at))),
      );
    });

    it('messages fetched by the app are reported; a refetch or a second tab reports nothing new', async () => {
      await subscribe(['messages', 'message_deliveries']);
      const mid = await send('fetched');
      const fetch = () =>
        hub.app.inject({
          method: 'GET',
          url: `/api/conversations/${fx.conversationId}/messages`,
          headers: { cookie: fx.customer.cookie },
        });
      expect((await fetch()).statusCode).toBe(200);
      await until(() => deliveries().length === 1, 'one delivery');
      expect(deliveries()[0]?.delivery?.mids).toEqual([mid]);
      await fetch();
      const ws = await openStream();
      await hub.services.deliveries.flush();
      await new Promise((r) => setTimeout(r, 300));
      ws.close();
      expect(deliveries()).toHaveLength(1);
    });

    it('one flush records many customers’ deliveries in one set-based write job, an event per conversation; a conversation noted by another customer is not recorded', async () => {
      await subscribe(['messages', 'message_deliveries']);
      const all = [fx, ...(await Promise.all([1, 2, 3, 4].map(() => buildGraphFixture(hub, { page: fx.page }))))];
      const mids = new Map<string, string>();
      for (const f of all) {
        const res = await hub.app.inject({
          method: 'POST',
          url: `/me/messages?access_token=${fx.page.page_access_token}`,
          payload: textSend(f.psid, `to ${f.customer.username}`),
        });
        mids.set(f.psid, res.json().message_id as string);
      }
      const rows = await hub.ctx.storage.db
        .selectFrom('messages')
        .select(['mid', 'conversation_id', 'created_at'])
        .where('direction', '=', 'out')
        .execute();
      const run = vi.spyOn(hub.ctx.storage.writes, 'run');
      const noted = (f: (typeof all)[number]) => {
        const row = rows.find((r) => r.mid === mids.get(f.psid))!;
        return { ...row, direction: 'out' as const, created_at: Number(row.created_at) };
      };
      // Another customer notes the first one's conversation before she does: the flush finds the
      // conversation is not his and records nothing for it (nor her note, which came second).
      const [first, intruder] = all as [GraphFixture, GraphFixture];
      hub.services.deliveries.note(intruder.customer.id, [noted(first)]);
      for (const f of all) hub.services.deliveries.note(f.customer.id, [noted(f)]);
      await hub.services.deliveries.flush();
      const receiptJobs = run.mock.calls.filter(([, options]) => Array.isArray(options?.partition));
      expect(receiptJobs).toHaveLength(1);
      // Its partitions: the customers who noted deliveries (she did not get to).
      const others = all.slice(1);
      expect([...(receiptJobs[0]?.[1]?.partition as string[])].sort()).toEqual(others.map((f) => f.customer.id).sort());
      await until(() => deliveries().length === others.length, 'a delivery per conversation');
      for (const f of others) {
        const own = deliveries().filter((d) => d.sender.id === f.psid);
        expect(own.map((d) => d.delivery?.mids)).toEqual([[mids.get(f.psid)]]);
      }
      await hub.services.deliveries.flush();
      expect(deliveries().filter((d) => d.sender.id === first.psid)).toEqual([]);
    });

    it('an app that does not subscribe to message_deliveries gets none; the customer’s own messages never count', async () => {
      await subscribe(['messages']);
      await send('quiet');
      await hub.app.inject({
        method: 'GET',
        url: `/api/conversations/${fx.conversationId}/messages`,
        headers: { cookie: fx.customer.cookie },
      });
      await hub.services.deliveries.flush();
      await hub.app.inject({
        method: 'POST',
        url: `/api/conversations/${fx.conversationId}/messages`,
        headers: { cookie: fx.customer.cookie },
        payload: { text: 'me' },
      });
      await until(
        () => items.some((i) => (i as { message?: { text?: string } }).message?.text === 'me'),
        'the customer message',
      );
      expect(deliveries()).toHaveLength(0);
      const conv = await hub.ctx.storage.db
        .selectFrom('conversations')
        .select('customer_delivered_wm')
        .where('id', '=', fx.conversationId)
        .executeTakeFirstOrThrow();
      expect(Number(conv.customer_delivered_wm)).toBeGreaterThan(0);
    });
  });
}

import { PlatformError } from '@confide/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GraphCall, GraphCallMeta, GraphRouter } from '../../http/graph-request.js';
import { buildTestHub, createPage, openConversation, signUp, type TestHub } from '../../../test/helpers.js';
import { runBatch } from './batch.js';

describe('POST / (Graph batch)', () => {
  let hub: TestHub;
  beforeEach(async () => {
    hub = await buildTestHub();
  });
  afterEach(async () => {
    await hub.dispose();
  });

  it('runs operations concurrently in shared commits and keeps batch order per recipient', async () => {
    const bank = await createPage(hub);
    const psids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const customer = await signUp(hub);
      const conv = await openConversation(hub, customer.cookie, bank.page_id);
      await hub.app.inject({
        method: 'POST',
        url: `/api/conversations/${conv.id}/messages`,
        headers: { cookie: customer.cookie },
        payload: { text: 'hi' },
      });
      const row = await hub.ctx.storage.db
        .selectFrom('conversations')
        .select('psid')
        .where('id', '=', conv.id)
        .executeTakeFirstOrThrow();
      psids.push(row.psid);
    }
    const op = (psid: string, text: string) => ({
      method: 'POST',
      relative_url: 'me/messages',
      body: new URLSearchParams({
        recipient: JSON.stringify({ id: psid }),
        messaging_type: 'RESPONSE',
        message: JSON.stringify({ text }),
      }).toString(),
    });
    const batch = [
      op(psids[0]!, 'a1'),
      op(psids[1]!, 'b1'),
      op(psids[0]!, 'a2'),
      op(psids[2]!, 'c1'),
      op(psids[0]!, 'a3'),
      op(psids[1]!, 'b2'),
    ];
    const before = hub.ctx.storage.writes.stats;
    const res = await hub.app.inject({
      method: 'POST',
      url: `/v25.0/?access_token=${bank.page_access_token}`,
      payload: { batch },
    });
    expect(res.statusCode).toBe(200);
    const items = res.json() as Array<{ code: number; body: string }>;
    expect(items.map((i) => i.code)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(items.map((i) => JSON.parse(i.body).recipient_id)).toEqual(
      batch.map((b) => JSON.parse(new URLSearchParams(b.body).get('recipient')!).id),
    );
    const after = hub.ctx.storage.writes.stats;
    expect(after.batches - before.batches).toBeLessThan(after.jobs - before.jobs);

    const texts = async (psid: string) => {
      const rows = await hub.ctx.storage.db
        .selectFrom('messages as m')
        .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
        .select('m.mid')
        .where('c.psid', '=', psid)
        .where('m.direction', '=', 'out')
        .orderBy('m.id')
        .execute();
      return rows.map((r) => items.findIndex((i) => JSON.parse(i.body).message_id === r.mid));
    };
    expect(await texts(psids[0]!)).toEqual([0, 2, 4]);
    expect(await texts(psids[1]!)).toEqual([1, 5]);
  });

  it('answers each operation as its own HTTP request would: errors, own tokens, unknown paths, nested batches', async () => {
    const bank = await createPage(hub);
    const shop = await createPage(hub, { name: 'Shop' });
    const res = await hub.app.inject({
      method: 'POST',
      url: `/v25.0/?access_token=${bank.page_access_token}`,
      payload: {
        batch: [
          { method: 'GET', relative_url: 'me?fields=id,name' },
          { method: 'GET', relative_url: `me?fields=id&access_token=${shop.page_access_token}` },
          { method: 'GET', relative_url: 'me?access_token=EAACnotAtokenAtAllButLongEnough' },
          { method: 'GET', relative_url: 'me/nothing-here' },
          { method: 'DELETE', relative_url: 'me/messages' },
          { method: 'POST', relative_url: 'v25.0/', body: 'batch=[]' },
          { method: 'POST', relative_url: 'me/messages', body: 'recipient={"id":"1"}&message=not-json' },
          { method: 'GET', relative_url: `${shop.page_id}/personas` },
        ],
      },
    });
    expect(res.statusCode).toBe(200);
    const items = res.json() as Array<{ code: number; headers: Array<{ name: string; value: string }>; body: string }>;
    const errors = items.map((i) => (JSON.parse(i.body) as { error?: { code: number } }).error?.code ?? null);
    expect(items.map((i) => i.code)).toEqual([200, 200, 400, 400, 400, 400, 400, 400]);
    expect(JSON.parse(items[0]!.body)).toEqual({ id: bank.page_id, name: expect.any(String) });
    expect(JSON.parse(items[1]!.body)).toEqual({ id: shop.page_id });
    expect(errors).toEqual([null, null, 190, 100, 100, 100, 100, 100]);
    expect(items[2]!.headers).toContainEqual({
      name: 'WWW-Authenticate',
      value: expect.stringContaining('invalid_token'),
    });
    // Unknown paths, wrong methods and another page's id look the same as an HTTP request to them.
    for (const [index, url, method] of [
      [3, '/v25.0/me/nothing-here', 'GET'],
      [4, '/v25.0/me/messages', 'DELETE'],
      [7, `/v25.0/${shop.page_id}/personas`, 'GET'],
    ] as const) {
      const direct = await hub.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${bank.page_access_token}` },
      });
      expect(items[index]!.code).toBe(direct.statusCode);
      expect(JSON.parse(items[index]!.body).error.code).toBe(direct.json().error.code);
    }

    const bare = await hub.app.inject({
      method: 'POST',
      url: `/?access_token=${bank.page_access_token}`,
      payload: { batch: [{ method: 'GET', relative_url: 'me?fields=id' }], include_headers: false },
    });
    expect(bare.json()).toEqual([{ code: 200, body: JSON.stringify({ id: bank.page_id }) }]);
  });
});

describe('runBatch', () => {
  /** A router of one endpoint that records what it was asked, and a handler that answers in the order it runs. */
  function fakeRouter(handler: (call: GraphCall) => Promise<unknown>) {
    const matched: string[] = [];
    const router: GraphRouter = {
      route: () => undefined,
      match(method, path) {
        matched.push(`${method} ${path}`);
        return path === '/me/messages' ? { handler, auth: 'page', path: {} } : undefined;
      },
      subCall: async (parent, query, fields) => ({ ...parent, params: { ...query, ...fields } }),
    };
    return { router, matched };
  }
  const parent = { params: {}, path: {}, file: undefined, principal: {}, token: 't' } as GraphCall;
  const meta = { requestId: 'r', log: { error: () => undefined } } as unknown as GraphCallMeta;
  const op = (recipient: string, text: string, relativeUrl = 'me/messages') => ({
    method: 'post',
    relative_url: relativeUrl,
    body: new URLSearchParams({ recipient, text }).toString(),
  });

  it('matches each URL once per batch, and runs a recipient’s operations in order even after a failure', async () => {
    const ran: string[] = [];
    const { router, matched } = fakeRouter(async (call) => {
      const text = call.params['text'] as string;
      // The first operation to a answers last, unless the next one to a waits for it.
      await new Promise((resolve) => setTimeout(resolve, text === 'a1' ? 20 : 0));
      ran.push(text);
      if (text === 'a1') throw new PlatformError('INVALID_PARAMETER');
      return { text };
    });
    const items = await runBatch(
      router,
      { ...parent, params: { batch: [op('a', 'a1'), op('b', 'b1'), op('a', 'a2'), op('c', 'c1', 'me/nothing')] } },
      meta,
    );
    expect(items.map((i) => i.code)).toEqual([400, 200, 200, 400]);
    expect(ran.indexOf('a2')).toBeGreaterThan(ran.indexOf('a1'));
    expect(ran.indexOf('b1')).toBeLessThan(ran.indexOf('a1'));
    expect(matched).toEqual(['POST /me/messages', 'POST /me/nothing']);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, createPage, openConversation, signUp, type TestHub } from '../../../test/helpers.js';

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
      await hub.app.inject({ method: 'POST', url: `/api/conversations/${conv.id}/messages`, headers: { cookie: customer.cookie }, payload: { text: 'hi' } });
      const row = await hub.ctx.storage.db.selectFrom('conversations').select('psid').where('id', '=', conv.id).executeTakeFirstOrThrow();
      psids.push(row.psid);
    }
    const op = (psid: string, text: string) => ({
      method: 'POST',
      relative_url: 'me/messages',
      body: new URLSearchParams({ recipient: JSON.stringify({ id: psid }), messaging_type: 'RESPONSE', message: JSON.stringify({ text }) }).toString(),
    });
    const batch = [op(psids[0]!, 'a1'), op(psids[1]!, 'b1'), op(psids[0]!, 'a2'), op(psids[2]!, 'c1'), op(psids[0]!, 'a3'), op(psids[1]!, 'b2')];
    const before = hub.ctx.storage.writes.stats;
    const res = await hub.app.inject({ method: 'POST', url: `/v25.0/?access_token=${bank.page_access_token}`, payload: { batch } });
    expect(res.statusCode).toBe(200);
    const items = res.json() as Array<{ code: number; body: string }>;
    expect(items.map((i) => i.code)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(items.map((i) => JSON.parse(i.body).recipient_id)).toEqual(batch.map((b) => JSON.parse(new URLSearchParams(b.body).get('recipient')!).id));
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
});

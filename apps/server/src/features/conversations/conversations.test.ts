import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, createPage, openConversation, signUp, DIALECTS, type TestHub } from '../../../test/helpers.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: customer conversations`, () => {
    let hub: TestHub;
    beforeEach(async () => {
      hub = await buildTestHub({ dialect });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    it('mints a different PSID per page for one customer, and per customer for one page', async () => {
      const alice = await signUp(hub);
      const bob = await signUp(hub);
      const bank = await createPage(hub);
      const shop = await createPage(hub, { category: 'merchant' });
      await openConversation(hub, alice.cookie, bank.page_id);
      await openConversation(hub, alice.cookie, shop.page_id);
      await openConversation(hub, bob.cookie, bank.page_id);
      const rows = await hub.ctx.storage.db
        .selectFrom('conversations')
        .select(['customer_id', 'page_id', 'psid'])
        .execute();
      const psid = (c: string, p: string) => rows.find((r) => r.customer_id === c && r.page_id === p)?.psid;
      expect(psid(alice.id, bank.page_id)).toMatch(/^[1-9]\d{15}$/);
      expect(psid(alice.id, bank.page_id)).not.toBe(psid(alice.id, shop.page_id));
      expect(psid(alice.id, bank.page_id)).not.toBe(psid(bob.id, bank.page_id));
      expect(psid(alice.id, bank.page_id)).not.toContain(alice.id);
    });

    it('reopening a conversation returns the same one and keeps the PSID', async () => {
      const alice = await signUp(hub);
      const bank = await createPage(hub);
      const first = await openConversation(hub, alice.cookie, bank.page_id);
      const second = await openConversation(hub, alice.cookie, bank.page_id);
      expect(second.id).toBe(first.id);
      const rows = await hub.ctx.storage.db.selectFrom('conversations').selectAll().execute();
      expect(rows).toHaveLength(1);
    });

    it('stores a text message and lists it with the conversation', async () => {
      const alice = await signUp(hub);
      const bank = await createPage(hub, { name: 'First Bank' });
      const conv = await openConversation(hub, alice.cookie, bank.page_id);
      const sent = await hub.app.inject({
        method: 'POST',
        url: `/api/conversations/${conv.id}/messages`,
        headers: { cookie: alice.cookie },
        payload: { text: 'hello bank' },
      });
      expect(sent.statusCode).toBe(201);
      expect(sent.json()).toMatchObject({ direction: 'in', body: { text: 'hello bank' }, conversation_id: conv.id });
      expect(sent.json().mid).toMatch(/^m_/);

      const list = await hub.app.inject({
        method: 'GET',
        url: '/api/conversations',
        headers: { cookie: alice.cookie },
      });
      expect(list.json().data[0]).toMatchObject({
        id: conv.id,
        page: { name: 'First Bank' },
        last_message: { body: { text: 'hello bank' } },
        unread_count: 0,
      });
    });

    it('pages through messages with a cursor, newest first, nothing skipped or repeated', async () => {
      const alice = await signUp(hub);
      const bank = await createPage(hub);
      const conv = await openConversation(hub, alice.cookie, bank.page_id);
      for (let i = 0; i < 7; i++) {
        await hub.app.inject({
          method: 'POST',
          url: `/api/conversations/${conv.id}/messages`,
          headers: { cookie: alice.cookie },
          payload: { text: `m${i}` },
        });
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/api/conversations/${conv.id}/messages?limit=3${cursor ? `&before=${cursor}` : ''}`;
        const res = await hub.app.inject({ method: 'GET', url, headers: { cookie: alice.cookie } });
        expect(res.statusCode).toBe(200);
        seen.push(...res.json().data.map((m: { body: { text: string } }) => m.body.text));
        cursor = res.json().next_cursor;
      } while (cursor !== null);
      expect(seen).toEqual(['m6', 'm5', 'm4', 'm3', 'm2', 'm1', 'm0']);
    });

    it('answers 404 for another customer’s conversation, exactly as for an unknown one', async () => {
      const alice = await signUp(hub);
      const mallory = await signUp(hub);
      const bank = await createPage(hub);
      const conv = await openConversation(hub, alice.cookie, bank.page_id);
      for (const url of [`/api/conversations/${conv.id}/messages`, `/api/conversations/c_doesnotexist/messages`]) {
        const read = await hub.app.inject({ method: 'GET', url, headers: { cookie: mallory.cookie } });
        const write = await hub.app.inject({
          method: 'POST',
          url,
          headers: { cookie: mallory.cookie },
          payload: { text: 'x' },
        });
        expect(read.statusCode).toBe(404);
        expect(write.statusCode).toBe(404);
        expect(read.json().error.code).toBe('NOT_FOUND');
        expect(write.json().error.message).toBe(read.json().error.message);
      }
      const count = await hub.ctx.storage.db
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(0);
    });

    it('rejects malformed bodies with a clear error and stores nothing', async () => {
      const alice = await signUp(hub);
      const bank = await createPage(hub);
      const conv = await openConversation(hub, alice.cookie, bank.page_id);
      const url = `/api/conversations/${conv.id}/messages`;
      const cases = [
        { payload: '{"text": ', contentType: 'application/json', status: 400 },
        { payload: JSON.stringify({ text: 42 }), contentType: 'application/json', status: 400 },
        { payload: JSON.stringify({ text: 'x'.repeat(2001) }), contentType: 'application/json', status: 400 },
        { payload: JSON.stringify({ text: 'a', extra: true }), contentType: 'application/json', status: 400 },
        { payload: JSON.stringify({ text: 'x'.repeat(2_000_000) }), contentType: 'application/json', status: 413 },
      ];
      for (const c of cases) {
        const res = await hub.app.inject({
          method: 'POST',
          url,
          headers: { cookie: alice.cookie, 'content-type': c.contentType },
          payload: c.payload,
        });
        expect(res.statusCode, c.payload.slice(0, 40)).toBe(c.status);
        expect(res.json().error).toMatchObject({ status: c.status });
        expect(typeof res.json().error.code).toBe('string');
      }
      const count = await hub.ctx.storage.db
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(0);
    });

    it('searches the directory by name', async () => {
      const alice = await signUp(hub);
      await createPage(hub, { name: 'Northwind Bank' });
      await createPage(hub, { name: 'Contoso Shop', category: 'merchant' });
      const res = await hub.app.inject({ method: 'GET', url: '/api/pages?q=north', headers: { cookie: alice.cookie } });
      expect(res.json().data.map((p: { name: string }) => p.name)).toEqual(['Northwind Bank']);
      const pct = await hub.app.inject({ method: 'GET', url: '/api/pages?q=%25', headers: { cookie: alice.cookie } });
      expect(pct.json().data).toEqual([]);
    });
  });
}

import { describe, expect, it } from 'vitest';
import { DIALECTS, type TestHub } from '../../../test/helpers.js';
import { eachInboxHub, inboxKit, type Page } from '../../../test/inbox-kit.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: internal notes`, () => {
    let hub: TestHub;
    let bank: Page;
    let otherBank: Page;
    const {
      createAgent,
      logIn,
      agentCall,
      customerWith,
      handOver,
      customerTexts,
      rowCount: count,
    } = inboxKit(() => hub);

    eachInboxHub(dialect, (s) => ({ hub, bank, otherBank } = s), { SERVICES: 'api' });

    it('agents of the page read each other’s notes; the customer and the bank never get them; every reading is audited', async () => {
      const ada = await createAgent(bank, 'ada', 'Ada');
      await createAgent(bank, 'bea', 'Bea');
      const alice = await customerWith(bank, 'alice');
      await handOver(bank, alice.psid);
      const adaCookie = await logIn('ada');
      const before = { outbox: await count('webhook_outbox'), events: await count('customer_events') };
      const res = await agentCall(adaCookie, 'POST', `/inbox/api/conversations/${alice.conversationId}/notes`, {
        text: 'Checked ID by phone; card 4111 1111 1111 1111',
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({
        text: expect.stringMatching(/^Checked ID by phone; card /),
        author: { id: ada.id, display_name: 'Ada' },
      });
      expect(res.body).not.toContain('4111 1111 1111 1111');
      expect({ outbox: await count('webhook_outbox'), events: await count('customer_events') }).toEqual(before);
      expect((await customerTexts(alice.cookie, alice.conversationId)).map((m) => m.text)).toEqual([
        'hello from alice',
      ]);
      // Sealed at rest.
      const stored = await hub.ctx.storage.db.selectFrom('inbox_notes').select('body').executeTakeFirstOrThrow();
      expect(stored.body).not.toContain('Checked');
      const bea = await logIn('bea');
      const list = (await agentCall(bea, 'GET', `/inbox/api/conversations/${alice.conversationId}/notes`)).json();
      expect(list.data.map((n: { text: string }) => n.text)).toEqual([res.json().text]);
      await hub.services.privacy.flush();
      const audited = await hub.ctx.storage.db
        .selectFrom('audit_log')
        .select('purpose')
        .where('action', '=', 'content.access')
        .where('actor', 'like', 'agent:%')
        .where('customer_id', '=', alice.id)
        .execute();
      expect(audited.length).toBeGreaterThan(0);
    });

    it("a note on another page's conversation, or with bad text, is refused and nothing is written", async () => {
      await createAgent(bank, 'ada');
      const carol = await customerWith(otherBank, 'carol');
      await handOver(otherBank, carol.psid);
      const ada = await logIn('ada');
      const foreign = await agentCall(ada, 'POST', `/inbox/api/conversations/${carol.conversationId}/notes`, {
        text: 'peek',
      });
      expect(foreign.statusCode).toBe(404);
      expect((await agentCall(ada, 'GET', `/inbox/api/conversations/${carol.conversationId}/notes`)).statusCode).toBe(
        404,
      );
      const alice = await customerWith(bank, 'alice');
      await handOver(bank, alice.psid);
      for (const bad of [{ text: '' }, { text: 'x'.repeat(2001) }, {}, { text: 'ok', x: 1 }]) {
        expect(
          (await agentCall(ada, 'POST', `/inbox/api/conversations/${alice.conversationId}/notes`, bad)).statusCode,
        ).toBe(400);
      }
      expect(await count('inbox_notes')).toBe(0);
    });
  });
}

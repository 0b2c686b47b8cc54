import type { ServerFrame } from '@confide/protocol';
import { describe, expect, it } from 'vitest';
import { DIALECTS, type TestHub } from '../../../test/helpers.js';
import { eachInboxHub, Frames, inboxKit, type Page } from '../../../test/inbox-kit.js';

const CLOSING = 'Thanks for chatting with us. If anything else comes up, just write here.';

for (const dialect of DIALECTS) {
  describe(`${dialect}: the customer's side of the inbox`, () => {
    let hub: TestHub;
    let bank: Page;
    let otherBank: Page;
    const { createAgent, logIn, agentCall, customerWith, handOver } = inboxKit(() => hub);
    const url = (id: string, verb: string) => `/inbox/api/conversations/${id}/${verb}`;

    eachInboxHub(dialect, (s) => ({ hub, bank, otherBank } = s));

    const customerMessages = async (cookie: string, conversationId: string) => {
      const res = await hub.app.inject({
        method: 'GET',
        url: `/api/conversations/${conversationId}/messages`,
        headers: { cookie },
      });
      return (
        res.json().data as Array<{ body: { text?: string }; persona?: { name: string } | null; system?: boolean }>
      )
        .reverse()
        .map((m) => ({ text: m.body.text, persona: m.persona?.name ?? null, system: m.system === true }));
    };
    const outboxCount = async () =>
      Number(
        (
          await hub.ctx.storage.db
            .selectFrom('webhook_outbox')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('tells the customer, live and in the history, that the agent joined and left; the lines never reach the bank', async () => {
      await createAgent(bank, 'ada', 'Ada');
      const alice = await customerWith(bank, 'alice');
      await handOver(bank, alice.psid);
      const ada = await logIn('ada');
      const base = (await hub.listen()).replace('http://', 'ws://');
      const stream = new Frames<ServerFrame>(`${base}/api/stream`, { cookie: alice.cookie });
      await stream.until((f) => f.type === 'ready');
      const webhooksBefore = await outboxCount();
      await agentCall(ada, 'POST', url(alice.conversationId, 'take'));
      expect(await outboxCount()).toBe(webhooksBefore);
      const joined = await stream.until((f) => f.type === 'message' && f.message.system === true);
      expect(joined).toMatchObject({ message: { body: { text: 'Ada joined' }, direction: 'out', system: true } });
      await agentCall(ada, 'POST', url(alice.conversationId, 'messages'), { text: 'Hello, Ada here.' });
      await agentCall(ada, 'POST', url(alice.conversationId, 'resolve'));
      await stream.until(
        (f) => f.type === 'message' && f.message.body.text === 'Ada left, you are back with the assistant',
      );
      stream.close();
      expect(await customerMessages(alice.cookie, alice.conversationId)).toEqual([
        { text: 'hello from alice', persona: null, system: false },
        { text: 'Ada joined', persona: null, system: true },
        { text: 'Hello, Ada here.', persona: 'Ada', system: false },
        { text: CLOSING, persona: 'Ada', system: false },
        { text: 'Ada left, you are back with the assistant', persona: null, system: true },
      ]);
      // The agent sees the same lines, marked as such.
      const view = (await agentCall(ada, 'GET', `/inbox/api/conversations/${alice.conversationId}`)).json();
      expect(
        view.messages
          .filter((m: { system?: boolean }) => m.system === true)
          .map((m: { body: { text: string } }) => m.body.text),
      ).toEqual(['Ada joined', 'Ada left, you are back with the assistant']);
      // The bank got its echoes of the agent's messages, not of the system lines.
      const rows = await hub.ctx.storage.db.selectFrom('webhook_outbox').select('payload').orderBy('id').execute();
      const items = await Promise.all(
        rows.map((r) =>
          hub.ctx.storage.vault.openPayload({ purpose: 'deliver_to_business', actor: 'test' }, alice.id, r.payload),
        ),
      );
      const texts = items
        .map((i) => (i as { message?: { text?: string } }).message?.text)
        .filter((t) => t !== undefined);
      expect(texts).toEqual(['hello from alice', 'Hello, Ada here.', CLOSING]);
    });

    it('GET /api/conversations/:id/agent: with the assistant, waiting with a place in the queue, with an agent', async () => {
      await createAgent(bank, 'ada', 'Ada');
      const alice = await customerWith(bank, 'alice');
      const bob = await customerWith(bank, 'bob');
      const carol = await customerWith(otherBank, 'carol');
      const state = async (c: { cookie: string; conversationId: string }) => {
        const res = await hub.app.inject({
          method: 'GET',
          url: `/api/conversations/${c.conversationId}/agent`,
          headers: { cookie: c.cookie },
        });
        expect(res.statusCode).toBe(200);
        return res.json();
      };
      expect(await state(alice)).toEqual({ state: 'assistant', position: null, agent: null });
      await handOver(otherBank, carol.psid);
      hub.clock?.advance(1000);
      await handOver(bank, alice.psid);
      hub.clock?.advance(1000);
      await handOver(bank, bob.psid);
      expect(await state(alice)).toEqual({ state: 'waiting', position: 1, agent: null });
      expect(await state(bob)).toEqual({ state: 'waiting', position: 2, agent: null });
      expect(await state(carol)).toEqual({ state: 'waiting', position: 1, agent: null });
      await agentCall(await logIn('ada'), 'POST', url(alice.conversationId, 'take'));
      expect(await state(alice)).toEqual({ state: 'with_agent', position: null, agent: { name: 'Ada' } });
      expect(await state(bob)).toEqual({ state: 'waiting', position: 1, agent: null });
      // Another customer's conversation is unknown; no session is 401.
      const foreign = await hub.app.inject({
        method: 'GET',
        url: `/api/conversations/${alice.conversationId}/agent`,
        headers: { cookie: bob.cookie },
      });
      expect(foreign.statusCode).toBe(404);
      expect(
        (await hub.app.inject({ method: 'GET', url: `/api/conversations/${alice.conversationId}/agent` })).statusCode,
      ).toBe(401);
    });

    it("the agent's typing reaches the customer's stream; only the assigned agent's", async () => {
      await createAgent(bank, 'ada', 'Ada');
      await createAgent(bank, 'bea', 'Bea');
      await createAgent(otherBank, 'otto');
      const alice = await customerWith(bank, 'alice');
      await handOver(bank, alice.psid);
      const ada = await logIn('ada');
      const base = (await hub.listen()).replace('http://', 'ws://');
      const stream = new Frames<ServerFrame>(`${base}/api/stream`, { cookie: alice.cookie });
      await stream.until((f) => f.type === 'ready');
      expect((await agentCall(ada, 'POST', url(alice.conversationId, 'typing'), { on: true })).json().error.code).toBe(
        'CONVERSATION_NOT_ASSIGNED',
      );
      await agentCall(ada, 'POST', url(alice.conversationId, 'take'));
      for (const bad of [{}, { on: 'yes' }, { on: true, x: 1 }])
        expect((await agentCall(ada, 'POST', url(alice.conversationId, 'typing'), bad)).statusCode).toBe(400);
      expect(
        (await agentCall(await logIn('bea'), 'POST', url(alice.conversationId, 'typing'), { on: true })).json().error
          .code,
      ).toBe('CONVERSATION_TAKEN');
      expect(
        (await agentCall(await logIn('otto'), 'POST', url(alice.conversationId, 'typing'), { on: true })).statusCode,
      ).toBe(404);
      expect(stream.items.filter((f) => f.type === 'typing')).toEqual([]);
      expect((await agentCall(ada, 'POST', url(alice.conversationId, 'typing'), { on: true })).statusCode).toBe(204);
      expect(await stream.until((f) => f.type === 'typing')).toEqual({
        type: 'typing',
        conversation_id: alice.conversationId,
        on: true,
      });
      await agentCall(ada, 'POST', url(alice.conversationId, 'typing'), { on: false });
      await stream.until((f) => f.type === 'typing' && !f.on);
      stream.close();
    });
  });
}

import type { InboxFrame } from '@confide/protocol';
import { describe, expect, it } from 'vitest';
import { DIALECTS, type TestHub } from '../../../test/helpers.js';
import { eachInboxHub, Frames, inboxKit, type Page } from '../../../test/inbox-kit.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: the agent's full context`, () => {
    let hub: TestHub;
    let bank: Page;
    let otherBank: Page;
    const { createAgent, logIn, agentCall, say, customerWith, handOver } = inboxKit(() => hub);

    eachInboxHub(dialect, (s) => ({ hub, bank, otherBank } = s));

    const views = async () =>
      Number(
        (
          await hub.ctx.storage.db
            .selectFrom('agent_views')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('one customer message costs an open pane one message frame and no re-read; the view is recorded once per opening', async () => {
      await createAgent(bank, 'ada', 'Ada');
      const alice = await customerWith(bank, 'alice');
      await handOver(bank, alice.psid);
      const ada = await logIn('ada');
      const base = (await hub.listen()).replace('http://', 'ws://');
      const frames = new Frames<InboxFrame>(`${base}/inbox/api/stream`, { cookie: ada });
      await frames.until((f) => f.type === 'ready');
      expect((await agentCall(ada, 'GET', `/inbox/api/conversations/${alice.conversationId}`)).statusCode).toBe(200);
      expect(await views()).toBe(1);
      const before = frames.items.length;
      await say(alice.cookie, alice.conversationId, 'my card is blocked');
      const frame = await frames.until((f) => f.type === 'message');
      expect(frame).toEqual({
        type: 'message',
        conversation_id: alice.conversationId,
        message: expect.objectContaining({
          direction: 'in',
          conversation_id: alice.conversationId,
          body: { text: 'my card is blocked' },
          persona: null,
        }),
      });
      // Give any stray frame time to arrive: exactly one frame for the message.
      await new Promise((r) => setTimeout(r, 150));
      expect(frames.items.slice(before)).toEqual([frame]);
      // The state endpoint opens no content and records no view.
      const state = await agentCall(ada, 'GET', `/inbox/api/conversations/${alice.conversationId}/state`);
      expect(state.statusCode).toBe(200);
      expect(state.json()).not.toHaveProperty('messages');
      expect(await views()).toBe(1);
      // The agent's own reply and the hub's joined line arrive as message frames too, in order.
      await agentCall(ada, 'POST', `/inbox/api/conversations/${alice.conversationId}/messages`, { text: 'On it.' });
      await frames.until((f) => f.type === 'message' && f.message.body.text === 'On it.');
      const texts = frames.items.flatMap((f) => (f.type === 'message' ? [f.message.body.text] : []));
      expect(texts).toEqual(['my card is blocked', 'Ada joined', 'On it.']);
      frames.close();
      expect(await views()).toBe(1);
    });

    it('shows the hand-over reason, the consent state and a template as the customer sees it', async () => {
      await createAgent(bank, 'ada');
      const alice = await customerWith(bank, 'alice');
      const template = {
        type: 'template',
        payload: {
          template_type: 'button',
          text: 'Was this you?',
          buttons: [{ type: 'postback', title: 'Yes', payload: 'YES' }],
        },
      };
      const sent = await hub.app.inject({
        method: 'POST',
        url: `/v25.0/me/messages?access_token=${bank.page_access_token}`,
        payload: { recipient: { id: alice.psid }, messaging_type: 'RESPONSE', message: { attachment: template } },
      });
      expect(sent.statusCode).toBe(200);
      await handOver(bank, alice.psid, 'fraud: card 4821 locked');
      const ada = await logIn('ada');
      const view = (await agentCall(ada, 'GET', `/inbox/api/conversations/${alice.conversationId}`)).json();
      expect(view.reason).toBe('fraud: card 4821 locked');
      expect(view.consent).toEqual({ status: 'none', categories: [], expires_at: null });
      expect(view.messages[1]).toMatchObject({
        direction: 'out',
        conversation_id: alice.conversationId,
        body: { attachment: template },
      });
      expect((await agentCall(ada, 'GET', '/inbox/api/queue')).json().data[0].reason).toBe('fraud: card 4821 locked');
    });

    it("answers 404 for another page's conversation state", async () => {
      await createAgent(bank, 'ada');
      const carol = await customerWith(otherBank, 'carol');
      await handOver(otherBank, carol.psid);
      const res = await agentCall(await logIn('ada'), 'GET', `/inbox/api/conversations/${carol.conversationId}/state`);
      expect(res.statusCode).toBe(404);
    });
  });
}

/**
 * The agent's reply is a typed send through the Send API's steps (no Graph call is built):
 * its answer is the message as the conversation shows it once stored, and a text the Send
 * API refuses is refused the same way, with nothing written.
 */
import { describe, expect, it } from 'vitest';
import { DIALECTS, type TestHub } from '../../../test/helpers.js';
import { eachInboxHub, inboxKit, type Page } from '../../../test/inbox-kit.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: agent reply`, () => {
    let hub: TestHub;
    let bank: Page;
    const { createAgent, logIn, agentCall, customerWith, handOver, rowCount: count } = inboxKit(() => hub);

    eachInboxHub(dialect, (s) => ({ hub, bank } = s), { SERVICES: 'api' });

    it('answers the reply as the opened conversation shows the stored message (masked, persona, tag)', async () => {
      await createAgent(bank, 'ada', 'Ada Agent');
      const alice = await customerWith(bank, 'alice');
      await handOver(bank, alice.psid);
      const cookie = await logIn('ada');
      const res = await agentCall(cookie, 'POST', `/inbox/api/conversations/${alice.conversationId}/messages`, {
        text: 'Your card 4111 1111 1111 1111 is blocked',
      });
      expect(res.statusCode).toBe(201);
      expect(res.body).not.toContain('4111 1111 1111 1111');
      const view = (await agentCall(cookie, 'GET', `/inbox/api/conversations/${alice.conversationId}`)).json();
      const shown = view.messages.find((m: { mid: string }) => m.mid === res.json().mid);
      expect(shown).toMatchObject({ tag: 'HUMAN_AGENT', persona: { name: 'Ada Agent' } });
      expect(res.json()).toStrictEqual(shown);
    });

    it('refuses a text the Send API refuses (2,000 characters) as the Send API does, writing nothing', async () => {
      await createAgent(bank, 'ada', 'Ada Agent');
      const alice = await customerWith(bank, 'alice');
      await handOver(bank, alice.psid);
      const cookie = await logIn('ada');
      await agentCall(cookie, 'POST', `/inbox/api/conversations/${alice.conversationId}/take`);
      const before = {
        messages: await count('messages'),
        outbox: await count('webhook_outbox'),
        events: await count('customer_events'),
      };
      const res = await agentCall(cookie, 'POST', `/inbox/api/conversations/${alice.conversationId}/messages`, {
        text: 'x'.repeat(2000),
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({
        code: 'INVALID_PARAMETER',
        message: 'param message[text] must be fewer than 2000 characters',
        detail: { param: 'message.text' },
      });
      expect({
        messages: await count('messages'),
        outbox: await count('webhook_outbox'),
        events: await count('customer_events'),
      }).toEqual(before);
    });
  });
}

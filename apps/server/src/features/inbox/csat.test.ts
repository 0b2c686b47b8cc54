import { MessagingFeedbackEventSchema } from '@confide/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestHub, createPage, DIALECTS, testClock, type TestClock, type TestHub } from '../../../test/helpers.js';
import { inboxKit, type Page } from '../../../test/inbox-kit.js';

type Msg = { id: string; body: { text?: string; quick_replies?: { title: string; payload: string }[] } };

for (const dialect of DIALECTS) {
  describe(`${dialect}: satisfaction question after a resolve`, () => {
    let hub: TestHub;
    let bank: Page;
    const { logIn, agentCall, customerWith, handOver } = inboxKit(() => hub);
    const conv = (id: string, action: string) => `/inbox/api/conversations/${id}/${action}`;

    async function start(csat: boolean, clock: TestClock = testClock()) {
      const env: Record<string, string> = { SERVICES: 'api', ...(csat ? { INBOX_CSAT: 'true' } : {}) };
      hub = await buildTestHub({ dialect, clock, env });
      bank = await createPage(hub, { name: 'Inbox Bank', webhookUrl: 'http://127.0.0.1:9/hook', verifyToken: 'v' });
      await hub.ctx.storage.writes.run((tx) =>
        tx.db
          .updateTable('apps')
          .set({ subscribed_fields: JSON.stringify(['messages', 'messaging_handovers', 'messaging_feedback']) })
          .where('id', '=', bank.app_id)
          .execute(),
      );
      const ada = await hub.services.agents.create({
        pageId: bank.page_id,
        username: 'ada',
        password: 'agent password 1',
        displayName: 'Ada',
      });
      await hub.services.agents.create({
        pageId: bank.page_id,
        username: 'sam',
        password: 'agent password 1',
        displayName: 'Sam',
        role: 'supervisor',
      });
      const alice = await customerWith(bank, 'alice');
      await handOver(bank, alice.psid);
      const adaCookie = await logIn('ada');
      expect((await agentCall(adaCookie, 'POST', conv(alice.conversationId, 'take'))).statusCode).toBe(204);
      expect((await agentCall(adaCookie, 'POST', conv(alice.conversationId, 'resolve'))).statusCode).toBe(204);
      const messages = async (): Promise<Msg[]> =>
        (
          await hub.app.inject({
            method: 'GET',
            url: `/api/conversations/${alice.conversationId}/messages`,
            headers: { cookie: alice.cookie },
          })
        )
          .json()
          .data.reverse();
      const tap = (title: string, payload: string) =>
        hub.app.inject({
          method: 'POST',
          url: `/api/conversations/${alice.conversationId}/messages`,
          headers: { cookie: alice.cookie },
          payload: { quick_reply: { title, payload } },
        });
      return { ada, alice, adaCookie, messages, tap };
    }

    it('the question is the customer’s last message, after the closing message and the "left" line, as time moves', async () => {
      // Every reading of this clock is 1 ms later, as real time moves while the resolve runs.
      const base = testClock();
      const ticking: TestClock = { ...base, now: () => (base.advance(1), base.now()) };
      const { messages } = await start(true, ticking);
      // Ordered as the messenger shows them: by `created_at` (a stable sort keeps arrival order on ties).
      const shown = (await messages()) as Array<Msg & { created_at: number }>;
      const texts = [...shown].sort((a, b) => a.created_at - b.created_at).map((m) => m.body.text ?? '');
      expect(texts.slice(-3)).toEqual([
        expect.stringMatching(/^Thanks for chatting with us/),
        expect.stringMatching(/Ada left, you are back with the assistant/),
        expect.stringMatching(/^How satisfied are you/),
      ]);
    });
    const rows = () => hub.ctx.storage.db.selectFrom('inbox_csat').selectAll().execute();
    const feedbackEvents = async (customerId: string) =>
      Promise.all(
        (
          await hub.ctx.storage.db
            .selectFrom('webhook_outbox')
            .selectAll()
            .where('field', '=', 'messaging_feedback')
            .execute()
        ).map((r) =>
          hub.ctx.storage.vault.openPayload({ purpose: 'deliver_to_business', actor: 'test' }, customerId, r.payload),
        ),
      );
    afterEach(async () => {
      await hub.dispose();
    });

    it('asks 1–5 after Resolve; a tap is recorded once, thanked, audited, sent as messaging_feedback and averaged for supervisors', async () => {
      const { ada, alice, adaCookie, messages, tap } = await start(true);
      const question = (await messages()).find((m) => m.body.quick_replies !== undefined);
      expect(question?.body.quick_replies?.map((q) => q.title)).toEqual(['1 😞', '2 🙁', '3 😐', '4 🙂', '5 😀']);
      const payloads = question?.body.quick_replies?.map((q) => q.payload) ?? [];
      expect(payloads.every((p, i) => p.startsWith(`CONFIDE_CSAT_${i + 1}:`))).toBe(true);
      const [asked] = await rows();
      expect(asked).toMatchObject({ agent_id: ada.id, conversation_id: alice.conversationId, score: null });
      expect(asked?.token_hash).not.toContain(payloads[0]?.split(':')[1]);

      expect((await tap('4 🙂', payloads[3] ?? '')).statusCode).toBe(201);
      expect((await messages()).at(-1)?.body.text).toBe('Thank you for your feedback!');
      expect(await rows()).toEqual([expect.objectContaining({ score: 4, answered_at: hub.ctx.now() })]);
      const events = await feedbackEvents(alice.id);
      expect(events).toEqual([
        expect.objectContaining({
          sender: { id: alice.psid },
          recipient: { id: bank.page_id },
          messaging_feedback: {
            feedback_screens: [{ screen_id: 0, questions: { [asked?.id ?? '']: { type: 'csat', payload: '4' } } }],
          },
        }),
      ]);
      expect(MessagingFeedbackEventSchema.safeParse(events[0]).success).toBe(true);
      // The answer is not forwarded to the business as a message.
      const forwarded = await hub.ctx.storage.db
        .selectFrom('webhook_outbox')
        .select('id')
        .where('field', '=', 'messages')
        .execute();
      const beforeReuse = forwarded.length;

      // A reused token (another score from the same question) changes nothing.
      await tap('1 😞', payloads[0] ?? '');
      expect((await messages()).at(-1)?.body.text).toBe('Your answer was already recorded. Thank you!');
      expect(await rows()).toEqual([expect.objectContaining({ score: 4 })]);
      expect(await feedbackEvents(alice.id)).toHaveLength(1);
      // A made-up token neither.
      await tap('5 😀', 'CONFIDE_CSAT_5:madeUpToken');
      expect((await messages()).at(-1)?.body.text).toContain('not valid');
      expect(await rows()).toEqual([expect.objectContaining({ score: 4 })]);
      const after = await hub.ctx.storage.db
        .selectFrom('webhook_outbox')
        .select('id')
        .where('field', '=', 'messages')
        .execute();
      expect(after.length).toBe(beforeReuse);

      await hub.services.privacy.flush();
      const audit = await hub.ctx.storage.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', 'like', 'inbox.csat%')
        .orderBy('seq')
        .execute();
      expect(audit.map((r) => [r.action, r.actor])).toEqual([
        ['inbox.csat_asked', `agent:${ada.id}`],
        ['inbox.csat_answered', 'customer'],
      ]);

      const summary = await agentCall(await logIn('sam'), 'GET', '/inbox/api/supervision/csat');
      expect(summary.statusCode).toBe(200);
      expect(summary.json().agents).toEqual([{ id: ada.id, name: 'Ada', average: 4, answers: 1 }]);
      expect(summary.json().teams).toEqual([{ id: null, name: null, average: 4, answers: 1 }]);
      expect((await agentCall(adaCookie, 'GET', '/inbox/api/supervision/csat')).statusCode).toBe(403);
    });

    it('refuses a forged CSAT payload from the Send API with (#100), writing nothing', async () => {
      const { alice } = await start(true);
      const before = await hub.ctx.storage.db.selectFrom('messages').select('id').execute();
      const res = await hub.app.inject({
        method: 'POST',
        url: `/v25.0/me/messages?access_token=${bank.page_access_token}`,
        payload: {
          recipient: { id: alice.psid },
          messaging_type: 'RESPONSE',
          message: {
            text: 'Rate us',
            quick_replies: [{ content_type: 'text', title: '5', payload: 'confide_csat_5:forged' }],
          },
        },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 100, message: expect.stringContaining('CONFIDE_CSAT_') });
      expect(await hub.ctx.storage.db.selectFrom('messages').select('id').execute()).toHaveLength(before.length);
    });

    it('asks nothing when INBOX_CSAT is off (the default)', async () => {
      const { messages } = await start(false);
      expect((await messages()).some((m) => m.body.quick_replies !== undefined)).toBe(false);
      expect(await rows()).toEqual([]);
    });
  });
}

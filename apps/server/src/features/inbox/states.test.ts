import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, createPage, DIALECTS, testClock, type TestClock, type TestHub } from '../../../test/helpers.js';
import { inboxKit, type Page } from '../../../test/inbox-kit.js';

const MINUTE = 60_000;
const CLOSING = 'Thanks for chatting with us. If anything else comes up, just write here.';

for (const dialect of DIALECTS) {
  describe(`${dialect}: inbox conversation states`, () => {
    let hub: TestHub;
    let clock: TestClock;
    let bank: Page;
    let otherBank: Page;
    const kit = inboxKit(() => hub);
    const { createAgent, logIn, agentCall, say, customerWith, handOver, customerTexts, handoverEvents } = kit;
    const url = (id: string, verb = '') => `/inbox/api/conversations/${id}${verb === '' ? '' : `/${verb}`}`;

    beforeEach(async () => {
      clock = testClock();
      hub = await buildTestHub({ dialect, clock, env: { SERVICES: 'api,realtime', INBOX_REOPEN_MINUTES: '30' } });
      bank = await createPage(hub, { name: 'Inbox Bank', webhookUrl: 'http://127.0.0.1:9/hook', verifyToken: 'v' });
      otherBank = await createPage(hub, {
        name: 'Other Bank',
        webhookUrl: 'http://127.0.0.1:9/other',
        verifyToken: 'v',
      });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    const threadRow = (conversationId: string) =>
      hub.ctx.storage.db
        .selectFrom('inbox_threads as t')
        .innerJoin('conversations as c', 'c.id', 't.conversation_id')
        .select(['t.status', 't.agent_id', 't.resolved_by', 'c.thread_owner_app_id'])
        .where('t.conversation_id', '=', conversationId)
        .executeTakeFirstOrThrow();

    describe('POST /inbox/api/conversations/:id/resolve', () => {
      it('is refused while nobody took the conversation, and for another agent; nothing changes', async () => {
        await createAgent(bank, 'ada');
        await createAgent(bank, 'bea');
        const alice = await customerWith(bank, 'alice', 'Hello? Is anyone there?');
        await handOver(bank, alice.psid);
        const ada = await logIn('ada');
        const bea = await logIn('bea');
        const before = await customerTexts(alice.cookie, alice.conversationId);
        const unassigned = await agentCall(ada, 'POST', url(alice.conversationId, 'resolve'));
        expect(unassigned.statusCode).toBe(409);
        expect(unassigned.json().error).toMatchObject({ code: 'CONVERSATION_NOT_ASSIGNED', status: 409 });
        // The older name answers the same.
        expect((await agentCall(ada, 'POST', url(alice.conversationId, 'done'))).json().error.code).toBe(
          'CONVERSATION_NOT_ASSIGNED',
        );
        await agentCall(bea, 'POST', url(alice.conversationId, 'take'));
        expect((await agentCall(ada, 'POST', url(alice.conversationId, 'resolve'))).json().error.code).toBe(
          'CONVERSATION_TAKEN',
        );
        expect(await threadRow(alice.conversationId)).toMatchObject({
          status: 'assigned',
          thread_owner_app_id: '263902037430900',
        });
        // Only Bea's joining was written; Ada's refused resolves sent nothing.
        expect(await customerTexts(alice.cookie, alice.conversationId)).toEqual([
          ...before,
          { text: 'bea joined', persona: undefined },
        ]);
        expect(await handoverEvents(bank, alice.id)).toEqual([]);
      });

      it('sends the closing message under the persona, then passes the thread back with the note; a second resolve is refused', async () => {
        await createAgent(bank, 'ada', 'Ada Lovelace');
        const alice = await customerWith(bank, 'alice');
        await handOver(bank, alice.psid);
        const ada = await logIn('ada');
        await agentCall(ada, 'POST', url(alice.conversationId, 'messages'), { text: 'Card unlocked.' });
        expect(
          (await agentCall(ada, 'POST', url(alice.conversationId, 'resolve'), { note: 'approve unlock' })).statusCode,
        ).toBe(204);
        expect(await customerTexts(alice.cookie, alice.conversationId)).toEqual([
          { text: 'hello from alice', persona: undefined },
          { text: 'Ada Lovelace joined', persona: undefined },
          { text: 'Card unlocked.', persona: 'Ada Lovelace' },
          { text: CLOSING, persona: 'Ada Lovelace' },
          { text: 'Ada Lovelace left, you are back with the assistant', persona: undefined },
        ]);
        expect((await handoverEvents(bank, alice.id)).at(-1)).toMatchObject({
          pass_thread_control: { new_owner_app_id: bank.app_id, metadata: 'approve unlock' },
        });
        expect(await threadRow(alice.conversationId)).toMatchObject({ status: 'resolved', thread_owner_app_id: null });
        expect((await agentCall(ada, 'POST', url(alice.conversationId, 'resolve'))).json().error.code).toBe(
          'CONVERSATION_RESOLVED',
        );
        expect((await agentCall(ada, 'GET', '/inbox/api/queue')).json().data).toEqual([]);
      });

      it("answers 404 for another page's conversation and leaves it as it was", async () => {
        await createAgent(bank, 'ada');
        await createAgent(otherBank, 'otto');
        const carol = await customerWith(otherBank, 'carol');
        await handOver(otherBank, carol.psid);
        const otto = await logIn('otto');
        await agentCall(otto, 'POST', url(carol.conversationId, 'take'));
        const ada = await logIn('ada');
        for (const verb of ['resolve', 'snooze', 'take']) {
          const res = await agentCall(
            ada,
            'POST',
            url(carol.conversationId, verb),
            verb === 'snooze' ? { minutes: 5 } : undefined,
          );
          expect(res.statusCode).toBe(404);
          expect(res.json().error.code).toBe('NOT_FOUND');
        }
        expect(await threadRow(carol.conversationId)).toMatchObject({
          status: 'assigned',
          thread_owner_app_id: '263902037430900',
        });
      });
    });

    it('sends no closing message when INBOX_CLOSING_MESSAGE is empty', async () => {
      await hub.dispose();
      hub = await buildTestHub({ dialect, clock, env: { SERVICES: 'api', INBOX_CLOSING_MESSAGE: '' } });
      bank = await createPage(hub, { name: 'Inbox Bank', webhookUrl: 'http://127.0.0.1:9/hook', verifyToken: 'v' });
      await createAgent(bank, 'ada');
      const alice = await customerWith(bank, 'alice');
      await handOver(bank, alice.psid);
      const ada = await logIn('ada');
      await agentCall(ada, 'POST', url(alice.conversationId, 'take'));
      expect((await agentCall(ada, 'POST', url(alice.conversationId, 'resolve'))).statusCode).toBe(204);
      expect((await customerTexts(alice.cookie, alice.conversationId)).map((m) => m.text)).toEqual([
        'hello from alice',
        'ada joined',
        'ada left, you are back with the assistant',
      ]);
    });

    describe('reopening', () => {
      it('reopens with the same agent when the customer writes within the window; the app is told', async () => {
        const agent = await createAgent(bank, 'ada');
        const alice = await customerWith(bank, 'alice');
        await handOver(bank, alice.psid);
        const ada = await logIn('ada');
        await agentCall(ada, 'POST', url(alice.conversationId, 'take'));
        await agentCall(ada, 'POST', url(alice.conversationId, 'resolve'));
        clock.advance(29 * MINUTE);
        await say(alice.cookie, alice.conversationId, 'one more thing');
        expect(await threadRow(alice.conversationId)).toMatchObject({
          status: 'assigned',
          agent_id: agent.id,
          thread_owner_app_id: '263902037430900',
        });
        expect((await handoverEvents(bank, alice.id)).at(-1)).toMatchObject({
          take_thread_control: { metadata: 'reopened' },
        });
        const queue = (await agentCall(ada, 'GET', '/inbox/api/queue')).json().data;
        expect(queue).toMatchObject([
          {
            conversation_id: alice.conversationId,
            status: 'assigned',
            last_message: { body: { text: 'one more thing' } },
          },
        ]);
      });

      it("is off by default: the customer's next message goes to the assistant", async () => {
        await hub.dispose();
        hub = await buildTestHub({ dialect, clock, env: { SERVICES: 'api' } });
        bank = await createPage(hub, { name: 'Inbox Bank', webhookUrl: 'http://127.0.0.1:9/hook', verifyToken: 'v' });
        await createAgent(bank, 'ada');
        const alice = await customerWith(bank, 'alice');
        await handOver(bank, alice.psid);
        const ada = await logIn('ada');
        await agentCall(ada, 'POST', url(alice.conversationId, 'take'));
        await agentCall(ada, 'POST', url(alice.conversationId, 'resolve'));
        await say(alice.cookie, alice.conversationId, 'balance');
        expect(await threadRow(alice.conversationId)).toMatchObject({ status: 'resolved', thread_owner_app_id: null });
      });

      it('leaves the conversation with the assistant after the window', async () => {
        await createAgent(bank, 'ada');
        const alice = await customerWith(bank, 'alice');
        await handOver(bank, alice.psid);
        const ada = await logIn('ada');
        await agentCall(ada, 'POST', url(alice.conversationId, 'take'));
        await agentCall(ada, 'POST', url(alice.conversationId, 'resolve'));
        clock.advance(31 * MINUTE);
        await say(alice.cookie, alice.conversationId, 'one more thing');
        expect(await threadRow(alice.conversationId)).toMatchObject({ status: 'resolved', thread_owner_app_id: null });
        expect((await agentCall(ada, 'GET', '/inbox/api/queue')).json().data).toEqual([]);
      });
    });

    describe('POST /inbox/api/conversations/:id/snooze', () => {
      it('needs the conversation assigned; sets it aside until the time is up or the customer writes', async () => {
        await createAgent(bank, 'ada');
        const alice = await customerWith(bank, 'alice');
        await handOver(bank, alice.psid);
        const ada = await logIn('ada');
        expect(
          (await agentCall(ada, 'POST', url(alice.conversationId, 'snooze'), { minutes: 10 })).json().error.code,
        ).toBe('CONVERSATION_NOT_ASSIGNED');
        await agentCall(ada, 'POST', url(alice.conversationId, 'take'));
        for (const bad of [{ minutes: 0 }, { minutes: 1.5 }, { minutes: 99999 }, {}, { minutes: 5, x: 1 }]) {
          expect((await agentCall(ada, 'POST', url(alice.conversationId, 'snooze'), bad)).statusCode).toBe(400);
        }
        const res = await agentCall(ada, 'POST', url(alice.conversationId, 'snooze'), { minutes: 10 });
        expect(res.json()).toEqual({ snoozed_until: hub.ctx.now() + 10 * MINUTE });
        const status = async () => (await agentCall(ada, 'GET', '/inbox/api/queue')).json().data[0].status;
        expect(await status()).toBe('snoozed');
        clock.advance(10 * MINUTE);
        expect(await status()).toBe('assigned');
        await agentCall(ada, 'POST', url(alice.conversationId, 'snooze'), { minutes: 10 });
        await say(alice.cookie, alice.conversationId, 'are you there?');
        expect(await status()).toBe('assigned');
        expect((await threadRow(alice.conversationId)).status).toBe('assigned');
      });
    });

    describe('GET /inbox/api/closed', () => {
      it('lists resolved conversations, newest first; searches name, PSID and message words through the audited vault; filters by day', async () => {
        const agent = await createAgent(bank, 'ada', 'Ada');
        await createAgent(otherBank, 'otto');
        const ada = await logIn('ada');
        const resolveOne = async (name: string, text: string) => {
          const c = await customerWith(bank, name, text);
          await handOver(bank, c.psid);
          await agentCall(ada, 'POST', url(c.conversationId, 'take'));
          expect((await agentCall(ada, 'POST', url(c.conversationId, 'resolve'))).statusCode).toBe(204);
          return c;
        };
        const alice = await resolveOne('alice', 'My card was declined at the Café');
        clock.advance(2 * 24 * 60 * MINUTE);
        const bob = await resolveOne('bob', 'Where is my statement?');
        const carl = await customerWith(bank, 'carl', 'card question, still open');
        await handOver(bank, carl.psid);
        const ids = async (query: string, cookie = ada) => {
          const res = await agentCall(cookie, 'GET', `/inbox/api/closed${query}`);
          expect(res.statusCode).toBe(200);
          return (res.json().data as Array<{ conversation_id: string }>).map((d) => d.conversation_id);
        };
        expect(await ids('')).toEqual([bob.conversationId, alice.conversationId]);
        const all = (await agentCall(ada, 'GET', '/inbox/api/closed')).json();
        expect(all.data[0]).toMatchObject({
          customer: { first_name: 'bob', psid: bob.psid },
          resolved_by: { id: agent.id, display_name: 'Ada' },
          match: null,
        });
        expect(await ids('?q=ALI')).toEqual([alice.conversationId]);
        expect(await ids(`?q=${bob.psid}`)).toEqual([bob.conversationId]);
        const found = (await agentCall(ada, 'GET', '/inbox/api/closed?q=cafe%20declined')).json().data;
        expect(found).toEqual([
          expect.objectContaining({
            conversation_id: alice.conversationId,
            match: { field: 'message', snippet: 'My card was declined at the Café' },
          }),
        ]);
        expect(await ids('?q=nothing-like-this')).toEqual([]);
        const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
        expect(await ids(`?from=${day(hub.ctx.now())}`)).toEqual([bob.conversationId]);
        expect(await ids(`?to=${day(hub.ctx.now() - 2 * 24 * 60 * MINUTE)}`)).toEqual([alice.conversationId]);
        // Another page's agent sees none of it.
        expect(await ids('?q=card', await logIn('otto'))).toEqual([]);
        for (const bad of ['?from=2026-13-45', '?from=yesterday', `?q=${'x'.repeat(201)}`, '?other=1']) {
          expect((await agentCall(ada, 'GET', `/inbox/api/closed${bad}`)).statusCode).toBe(400);
        }
        // Every message opened for the search is in the audit log, as this agent, for agent support.
        await hub.services.privacy.flush();
        const accesses = await hub.ctx.storage.db
          .selectFrom('audit_log')
          .select(['customer_id', 'purpose'])
          .where('action', '=', 'content.access')
          .where('actor', '=', `agent:${agent.id}`)
          .execute();
        expect(accesses.some((a) => a.customer_id === alice.id && a.purpose === 'agent_support')).toBe(true);
      });

      it('opens a resolved conversation read-only with its history', async () => {
        await createAgent(bank, 'ada');
        const alice = await customerWith(bank, 'alice');
        await handOver(bank, alice.psid);
        const ada = await logIn('ada');
        await agentCall(ada, 'POST', url(alice.conversationId, 'messages'), { text: 'Sorted.' });
        await agentCall(ada, 'POST', url(alice.conversationId, 'resolve'));
        const view = (await agentCall(ada, 'GET', url(alice.conversationId))).json();
        expect(view).toMatchObject({ status: 'resolved', resolved_at: hub.ctx.now() });
        expect(view.messages.map((m: { body: { text: string } }) => m.body.text)).toEqual([
          'hello from alice',
          'ada joined',
          'Sorted.',
          CLOSING,
          'ada left, you are back with the assistant',
        ]);
        expect((await agentCall(ada, 'POST', url(alice.conversationId, 'take'))).json().error.code).toBe(
          'CONVERSATION_RESOLVED',
        );
      });
    });
  });
}

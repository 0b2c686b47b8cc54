import { PAGE_INBOX_APP_ID, type InboxFrame, type ServerFrame } from '@confide/protocol';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { DIALECTS, signUp, type TestClock, type TestHub } from '../../../test/helpers.js';
import { AGENT_PASSWORD as PASSWORD, eachInboxHub, Frames, inboxKit, type Page } from '../../../test/inbox-kit.js';

const DAY = 24 * 60 * 60 * 1000;

for (const dialect of DIALECTS) {
  describe(`${dialect}: agent inbox`, () => {
    let hub: TestHub;
    let clock: TestClock;
    let bank: Page;
    let otherBank: Page;
    const { createAgent, logIn, agentCall, say, customerWith, handOver } = inboxKit(() => hub);

    eachInboxHub(dialect, (s) => ({ hub, clock, bank, otherBank } = s), {
      SERVICES: 'api,realtime',
      LOGIN_MAX_ATTEMPTS: '3',
    });

    describe('agent create (the use case behind `confide agent create`)', () => {
      it('creates the agent with a persona of the page named after them', async () => {
        const agent = await createAgent(bank, 'Ada', 'Ada Lovelace');
        expect(agent).toMatchObject({
          page_id: bank.page_id,
          username: 'ada',
          display_name: 'Ada Lovelace',
          page_name: 'Inbox Bank',
        });
        const persona = await hub.ctx.storage.db
          .selectFrom('personas')
          .selectAll()
          .where('id', '=', agent.persona_id)
          .executeTakeFirstOrThrow();
        expect(persona).toMatchObject({ page_id: bank.page_id, name: 'Ada Lovelace', deleted_at: null });
        const stored = await hub.ctx.storage.db.selectFrom('agents').select('password_hash').executeTakeFirstOrThrow();
        expect(stored.password_hash).toMatch(/^\$argon2id\$/);
      });

      it('refuses a taken username, an unknown page and a short password', async () => {
        await createAgent(bank, 'bea');
        await expect(createAgent(otherBank, 'BEA')).rejects.toMatchObject({ key: 'USERNAME_TAKEN' });
        await expect(
          hub.services.agents.create({ pageId: '999', username: 'cid', password: PASSWORD }),
        ).rejects.toMatchObject({ key: 'NOT_FOUND' });
        await expect(
          hub.services.agents.create({ pageId: bank.page_id, username: 'cid', password: 'short' }),
        ).rejects.toMatchObject({ key: 'BAD_REQUEST' });
        expect(await hub.ctx.storage.db.selectFrom('personas').select('id').execute()).toHaveLength(1);
      });
    });

    describe('POST /inbox/api/login, /logout, GET /me', () => {
      it('logs in with an HTTP-only SameSite=Strict cookie of its own, and out', async () => {
        await createAgent(bank, 'ada', 'Ada');
        const res = await hub.app.inject({
          method: 'POST',
          url: '/inbox/api/login',
          payload: { username: 'ada', password: PASSWORD },
        });
        expect(res.statusCode).toBe(200);
        expect(res.json().agent).toEqual({
          id: expect.any(String),
          username: 'ada',
          display_name: 'Ada',
          page: { id: bank.page_id, name: 'Inbox Bank' },
          team: null,
          role: 'agent',
          status: 'offline',
          capacity: 3,
        });
        const raw = String(res.headers['set-cookie']);
        expect(raw).toMatch(/^confide_agent=/);
        expect(raw).toMatch(/HttpOnly/);
        expect(raw).toMatch(/SameSite=Strict/);
        expect(raw).toMatch(/Path=\/inbox\/api/);
        const cookie = `confide_agent=${res.cookies[0]?.value}`;
        expect((await agentCall(cookie, 'GET', '/inbox/api/me')).json().agent.username).toBe('ada');
        expect((await agentCall(cookie, 'POST', '/inbox/api/logout')).statusCode).toBe(204);
        const after = await agentCall(cookie, 'GET', '/inbox/api/me');
        expect(after.statusCode).toBe(401);
        expect(after.json().error).toMatchObject({
          code: 'UNAUTHENTICATED',
          status: 401,
          request_id: expect.any(String),
        });
      });

      it('keeps customers and agents apart, checks the Origin and rate-limits failed logins', async () => {
        await createAgent(bank, 'ada');
        const customer = await signUp(hub, 'carla');
        expect((await agentCall(customer.cookie, 'GET', '/inbox/api/queue')).statusCode).toBe(401);
        const agentCookie = await logIn('ada');
        expect(
          (await hub.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: agentCookie } })).statusCode,
        ).toBe(401);
        const foreign = await hub.app.inject({
          method: 'POST',
          url: '/inbox/api/login',
          headers: { origin: 'https://evil.example' },
          payload: { username: 'ada', password: PASSWORD },
        });
        expect(foreign.json().error.code).toBe('FORBIDDEN_ORIGIN');
        const crossSite = await hub.app.inject({
          method: 'POST',
          url: '/inbox/api/logout',
          headers: { cookie: agentCookie, 'sec-fetch-site': 'cross-site' },
        });
        expect(crossSite.statusCode).toBe(403);
        for (let i = 0; i < 3; i++) {
          const wrong = await hub.app.inject({
            method: 'POST',
            url: '/inbox/api/login',
            payload: { username: 'ada', password: 'wrong password' },
          });
          expect(wrong.json().error.code).toBe('INVALID_CREDENTIALS');
        }
        const blocked = await hub.app.inject({
          method: 'POST',
          url: '/inbox/api/login',
          payload: { username: 'ada', password: PASSWORD },
        });
        expect(blocked.statusCode).toBe(429);
        expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      });
    });

    describe('queue, take and view', () => {
      it("lists only the agent's page's conversations passed to the inbox, with waiting time and last message", async () => {
        await createAgent(bank, 'ada');
        const alice = await customerWith(bank, 'alice');
        await customerWith(bank, 'bob'); // stays with the bot
        const carol = await customerWith(otherBank, 'carol');
        const handedAt = clock.now() + 60_000;
        clock.set(handedAt);
        await handOver(bank, alice.psid);
        await handOver(otherBank, carol.psid);
        clock.advance(5 * 60_000);
        const res = await agentCall(await logIn('ada'), 'GET', '/inbox/api/queue');
        expect(res.statusCode).toBe(200);
        const queue = res.json();
        expect(queue.now).toBe(clock.now());
        expect(queue.data).toEqual([
          {
            conversation_id: alice.conversationId,
            customer: { psid: alice.psid, first_name: 'alice' },
            queued_at: handedAt,
            assigned_agent: null,
            status: 'open',
            snoozed_until: null,
            reason: 'needs a human',
            team: null,
            last_message: expect.objectContaining({
              direction: 'in',
              body: { text: 'hello from alice' },
              persona: null,
            }),
          },
        ]);
        expect(res.body).not.toContain(alice.id);
      });

      it('take twice → 409 for another agent; the owner may take again', async () => {
        await createAgent(bank, 'ada', 'Ada');
        await createAgent(bank, 'ben', 'Ben');
        const alice = await customerWith(bank, 'alice');
        await handOver(bank, alice.psid);
        const ada = await logIn('ada');
        const ben = await logIn('ben');
        const url = `/inbox/api/conversations/${alice.conversationId}/take`;
        expect((await agentCall(ada, 'POST', url)).statusCode).toBe(204);
        const again = await agentCall(ben, 'POST', url);
        expect(again.statusCode).toBe(409);
        expect(again.json().error).toMatchObject({ code: 'CONVERSATION_TAKEN', status: 409 });
        expect((await agentCall(ada, 'POST', url)).statusCode).toBe(204);
        expect((await agentCall(ben, 'GET', '/inbox/api/queue')).json().data[0].assigned_agent).toEqual({
          id: expect.any(String),
          display_name: 'Ada',
        });
        expect(
          (
            await agentCall(ben, 'POST', `/inbox/api/conversations/${alice.conversationId}/messages`, {
              text: 'me too',
            })
          ).statusCode,
        ).toBe(409);
        expect((await agentCall(ben, 'POST', `/inbox/api/conversations/${alice.conversationId}/done`)).statusCode).toBe(
          409,
        );
      });

      it("answers 404 for another page's conversation, one not in the inbox, and an unknown id alike", async () => {
        await createAgent(otherBank, 'olga');
        await createAgent(bank, 'ada');
        const alice = await customerWith(bank, 'alice');
        const bob = await customerWith(bank, 'bob');
        await handOver(bank, alice.psid);
        const olga = await logIn('olga');
        const ada = await logIn('ada');
        const cases: Array<[string, string]> = [
          [olga, alice.conversationId],
          [ada, bob.conversationId],
          [ada, 'c_unknown'],
        ];
        for (const [cookie, id] of cases) {
          for (const [method, path, payload] of [
            ['GET', '', undefined],
            ['POST', '/take', undefined],
            ['POST', '/messages', { text: 'hi' }],
            ['POST', '/done', undefined],
          ] as const) {
            const res = await agentCall(cookie, method, `/inbox/api/conversations/${id}${path}`, payload);
            expect(res.statusCode, `${method} ${path}`).toBe(404);
            expect(res.json().error.code).toBe('NOT_FOUND');
          }
        }
        expect((await agentCall(olga, 'GET', '/inbox/api/queue')).json().data).toEqual([]);
        expect(
          await hub.ctx.storage.db.selectFrom('messages').select('mid').where('direction', '=', 'out').execute(),
        ).toEqual([]);
      });

      it('shows the history and allowed profile fields only, and records every view', async () => {
        const agent = await createAgent(bank, 'ada');
        const alice = await customerWith(bank, 'alice');
        await handOver(bank, alice.psid);
        const cookie = await logIn('ada');
        const first = await agentCall(cookie, 'GET', `/inbox/api/conversations/${alice.conversationId}`);
        expect(first.statusCode).toBe(200);
        const view = first.json();
        expect(Object.keys(view).sort()).toEqual([
          'assigned_agent',
          'consent',
          'conversation_id',
          'customer',
          'messages',
          'now',
          'queued_at',
          'reason',
          'reply_until',
          'resolved_at',
          'snoozed_until',
          'status',
          'team',
        ]);
        expect(view.customer).toEqual({ psid: alice.psid, first_name: 'alice' });
        expect(view.messages.map((m: { body: { text: string } }) => m.body.text)).toEqual(['hello from alice']);
        expect(first.body).not.toContain(alice.id);
        expect(first.body).not.toContain('Other Bank');
        clock.advance(1000);
        await agentCall(cookie, 'GET', `/inbox/api/conversations/${alice.conversationId}`);
        const views = await hub.ctx.storage.db
          .selectFrom('agent_views')
          .select(['agent_id', 'conversation_id', 'viewed_at'])
          .orderBy('id')
          .execute();
        expect(views).toEqual([
          { agent_id: agent.id, conversation_id: alice.conversationId, viewed_at: clock.now() - 1000 },
          { agent_id: agent.id, conversation_id: alice.conversationId, viewed_at: clock.now() },
        ]);
      });
    });

    describe('reply and done', () => {
      it('replies as the page with HUMAN_AGENT under the persona: live for the customer, echoed to the bank', async () => {
        const agent = await createAgent(bank, 'ada', 'Ada Agent');
        const alice = await customerWith(bank, 'alice');
        await handOver(bank, alice.psid);
        const base = (await hub.listen()).replace('http://', 'ws://');
        const stream = new Frames<ServerFrame>(`${base}/api/stream`, { cookie: alice.cookie });
        await stream.until((f) => f.type === 'ready');
        // More than 24 hours later: only the HUMAN_AGENT tag may still answer.
        clock.advance(3 * DAY);
        const res = await agentCall(
          await logIn('ada'),
          'POST',
          `/inbox/api/conversations/${alice.conversationId}/messages`,
          { text: 'Hi, Ada here' },
        );
        expect(res.statusCode).toBe(201);
        expect(res.json()).toMatchObject({
          direction: 'out',
          body: { text: 'Hi, Ada here' },
          tag: 'HUMAN_AGENT',
          persona: { id: agent.persona_id, name: 'Ada Agent' },
        });
        const stored = await hub.ctx.storage.db
          .selectFrom('messages')
          .selectAll()
          .where('mid', '=', res.json().mid)
          .executeTakeFirstOrThrow();
        expect(stored).toMatchObject({
          direction: 'out',
          tag: 'HUMAN_AGENT',
          messaging_type: 'MESSAGE_TAG',
          persona_id: agent.persona_id,
          app_id: PAGE_INBOX_APP_ID,
        });
        const live = await stream.until(
          (f) => f.type === 'message' && f.message.direction === 'out' && f.message.system !== true,
        );
        expect(live.type === 'message' && live.message.body.text).toBe('Hi, Ada here');
        // The customer sees who answered: the agent's persona, which has no picture.
        const persona = { id: agent.persona_id, name: 'Ada Agent', profile_picture_url: null };
        expect(live.type === 'message' && live.message.persona).toEqual(persona);
        const history = await hub.app.inject({
          method: 'GET',
          url: `/api/conversations/${alice.conversationId}/messages`,
          headers: { cookie: alice.cookie },
        });
        expect(history.json().data[0]).toMatchObject({ body: { text: 'Hi, Ada here' }, persona });
        stream.close();
        const echo = await hub.ctx.storage.db
          .selectFrom('webhook_outbox')
          .select(['field', 'payload'])
          .where('app_id', '=', bank.app_id)
          .where('created_at', '=', clock.now())
          .executeTakeFirstOrThrow();
        expect(echo.field).toBe('standby');
        expect(
          await hub.ctx.storage.vault.openPayload(
            { purpose: 'deliver_to_business', actor: 'test' },
            alice.id,
            echo.payload,
          ),
        ).toMatchObject({
          recipient: { id: alice.psid },
          message: { is_echo: true, app_id: Number(PAGE_INBOX_APP_ID), text: 'Hi, Ada here' },
        });
        // The reply took the conversation for the agent.
        const queue = await agentCall(await logIn('ada'), 'GET', '/inbox/api/queue');
        expect(queue.json().data[0].assigned_agent.id).toBe(agent.id);
      });

      it('refuses a reply more than 7 days after the customer last wrote', async () => {
        await createAgent(bank, 'ada');
        const alice = await customerWith(bank, 'alice');
        await handOver(bank, alice.psid);
        const cookie = await logIn('ada');
        clock.advance(7 * DAY + 1);
        const res = await agentCall(cookie, 'POST', `/inbox/api/conversations/${alice.conversationId}/messages`, {
          text: 'Too late?',
        });
        expect(res.statusCode).toBe(400);
        expect(res.json().error.code).toBe('OUTSIDE_WINDOW');
        await say(alice.cookie, alice.conversationId, 'still there?');
        expect(
          (
            await agentCall(cookie, 'POST', `/inbox/api/conversations/${alice.conversationId}/messages`, {
              text: 'Yes!',
            })
          ).statusCode,
        ).toBe(201);
      });

      it('done passes control back to the primary app, which gets pass_thread_control', async () => {
        await createAgent(bank, 'ada');
        const alice = await customerWith(bank, 'alice');
        await handOver(bank, alice.psid);
        const cookie = await logIn('ada');
        await agentCall(cookie, 'POST', `/inbox/api/conversations/${alice.conversationId}/take`);
        const res = await agentCall(cookie, 'POST', `/inbox/api/conversations/${alice.conversationId}/done`);
        expect(res.statusCode).toBe(204);
        const conv = await hub.ctx.storage.db
          .selectFrom('conversations')
          .select('thread_owner_app_id')
          .where('id', '=', alice.conversationId)
          .executeTakeFirstOrThrow();
        expect(conv.thread_owner_app_id).toBeNull();
        const webhook = await hub.ctx.storage.db
          .selectFrom('webhook_outbox')
          .select(['app_id', 'payload'])
          .where('field', '=', 'messaging_handovers')
          .executeTakeFirstOrThrow();
        expect(webhook.app_id).toBe(bank.app_id);
        expect(
          await hub.ctx.storage.vault.openPayload(
            { purpose: 'deliver_to_business', actor: 'test' },
            alice.id,
            webhook.payload,
          ),
        ).toMatchObject({
          pass_thread_control: { previous_owner_app_id: PAGE_INBOX_APP_ID, new_owner_app_id: bank.app_id },
        });
        expect((await agentCall(cookie, 'GET', '/inbox/api/queue')).json().data).toEqual([]);
        // Kept for the closed view, read-only.
        const closed = await agentCall(cookie, 'GET', `/inbox/api/conversations/${alice.conversationId}`);
        expect(closed.json()).toMatchObject({ status: 'resolved', resolved_at: expect.any(Number) });
        expect(
          (
            await agentCall(cookie, 'POST', `/inbox/api/conversations/${alice.conversationId}/messages`, { text: 'hi' })
          ).json().error.code,
        ).toBe('CONVERSATION_RESOLVED');
        expect(
          await hub.ctx.storage.db.selectFrom('inbox_threads').select(['status', 'resolved_by']).execute(),
        ).toEqual([{ status: 'resolved', resolved_by: expect.any(String) }]);
      });
      it('done with a note hands it to the primary app as the metadata of pass_thread_control; a bad note changes nothing', async () => {
        await createAgent(bank, 'ada');
        const alice = await customerWith(bank, 'alice');
        await handOver(bank, alice.psid);
        const cookie = await logIn('ada');
        await agentCall(cookie, 'POST', `/inbox/api/conversations/${alice.conversationId}/take`);
        for (const bad of [{ note: '' }, { note: 'x'.repeat(1001) }, { note: 42 }, { other: 'y' }]) {
          expect(
            (await agentCall(cookie, 'POST', `/inbox/api/conversations/${alice.conversationId}/done`, bad)).statusCode,
          ).toBe(400);
        }
        expect((await agentCall(cookie, 'GET', '/inbox/api/queue')).json().data).toHaveLength(1);
        const res = await agentCall(cookie, 'POST', `/inbox/api/conversations/${alice.conversationId}/done`, {
          note: 'approve unlock 4821',
        });
        expect(res.statusCode).toBe(204);
        const webhook = await hub.ctx.storage.db
          .selectFrom('webhook_outbox')
          .select(['payload'])
          .where('field', '=', 'messaging_handovers')
          .where('app_id', '=', bank.app_id)
          .orderBy('id', 'desc')
          .executeTakeFirstOrThrow();
        expect(
          await hub.ctx.storage.vault.openPayload(
            { purpose: 'deliver_to_business', actor: 'test' },
            alice.id,
            webhook.payload,
          ),
        ).toMatchObject({
          pass_thread_control: {
            previous_owner_app_id: PAGE_INBOX_APP_ID,
            new_owner_app_id: bank.app_id,
            metadata: 'approve unlock 4821',
          },
        });
      });
    });

    describe('GET /inbox/api/stream', () => {
      it('signals changes of its page only: queued, the message itself, taken, left', async () => {
        await createAgent(bank, 'ada');
        const alice = await customerWith(bank, 'alice');
        const carol = await customerWith(otherBank, 'carol');
        const cookie = await logIn('ada');
        const base = (await hub.listen()).replace('http://', 'ws://');
        const frames = new Frames<InboxFrame>(`${base}/inbox/api/stream`, { cookie });
        await frames.until((f) => f.type === 'ready');
        const about = (change: string) => (f: InboxFrame) => f.type === 'queue' && f.change === change;
        await handOver(otherBank, carol.psid);
        await handOver(bank, alice.psid);
        expect(await frames.until(about('queued'))).toEqual({
          type: 'queue',
          change: 'queued',
          conversation_id: alice.conversationId,
        });
        await say(alice.cookie, alice.conversationId, 'anyone?');
        expect(await frames.until((f) => f.type === 'message')).toMatchObject({
          conversation_id: alice.conversationId,
          message: { body: { text: 'anyone?' } },
        });
        await agentCall(cookie, 'POST', `/inbox/api/conversations/${alice.conversationId}/take`);
        await frames.until(about('taken'));
        await agentCall(cookie, 'POST', `/inbox/api/conversations/${alice.conversationId}/done`);
        await frames.until(about('left'));
        frames.close();
        expect(
          frames.items.filter(
            (f) => (f.type === 'queue' || f.type === 'message') && f.conversation_id !== alice.conversationId,
          ),
        ).toEqual([]);
      });

      it('refuses a socket without the agent cookie or from a foreign Origin', async () => {
        await createAgent(bank, 'ada');
        const cookie = await logIn('ada');
        const base = (await hub.listen()).replace('http://', 'ws://');
        const status = (headers: Record<string, string>) =>
          new Promise<number>((resolve) => {
            const ws = new WebSocket(`${base}/inbox/api/stream`, { headers });
            ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
            ws.on('open', () => {
              ws.close();
              resolve(101);
            });
          });
        expect(await status({})).toBe(401);
        expect(await status({ cookie, origin: 'https://evil.example' })).toBe(403);
        expect(await status({ cookie })).toBe(101);
      });
    });
  });
}

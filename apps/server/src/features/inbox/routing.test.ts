import { PAGE_INBOX_APP_ID } from '@confide/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, createPage, DIALECTS, testClock, type TestClock, type TestHub } from '../../../test/helpers.js';
import { AGENT_PASSWORD, inboxKit, type Page } from '../../../test/inbox-kit.js';
import { parseHandoverMetadata } from './routing.js';

describe('parseHandoverMetadata', () => {
  it('reads a team and a reason from JSON; plain text is the reason', () => {
    expect(parseHandoverMetadata('{"team":"Fraud","reason":"card locked","case_ref":"FC-1"}')).toEqual({
      team: 'Fraud',
      reason: 'card locked',
      caseRef: 'FC-1',
    });
    expect(parseHandoverMetadata('needs a human')).toEqual({ team: null, reason: 'needs a human', caseRef: null });
    expect(parseHandoverMetadata('[1,2]')).toEqual({ team: null, reason: '[1,2]', caseRef: null });
    expect(parseHandoverMetadata('{"team":7}')).toEqual({ team: null, reason: null, caseRef: null });
    expect(parseHandoverMetadata(undefined)).toEqual({ team: null, reason: null, caseRef: null });
  });
});

for (const dialect of DIALECTS) {
  describe(`${dialect}: inbox teams and routing`, () => {
    let hub: TestHub;
    let clock: TestClock;
    let bank: Page;
    let otherBank: Page;
    const { logIn, agentCall, customerWith, handOver, customerTexts, teamId } = inboxKit(() => hub);
    const fraud = (reason: string) => JSON.stringify({ team: 'Fraud', reason });

    beforeEach(async () => {
      clock = testClock();
      hub = await buildTestHub({ dialect, clock, env: { SERVICES: 'api' } });
      bank = await createPage(hub, { name: 'Inbox Bank', webhookUrl: 'http://127.0.0.1:9/hook', verifyToken: 'v' });
      otherBank = await createPage(hub, {
        name: 'Other Bank',
        webhookUrl: 'http://127.0.0.1:9/other',
        verifyToken: 'v',
      });
      await hub.services.inbox.createTeam({ pageId: bank.page_id, name: 'Fraud' });
      await hub.services.inbox.createTeam({ pageId: bank.page_id, name: 'Cards', autoAssign: false });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    const agent = (username: string, displayName: string, team?: string, capacity?: number) =>
      hub.services.agents.create({
        pageId: bank.page_id,
        username,
        password: AGENT_PASSWORD,
        displayName,
        team,
        capacity,
      });
    const online = async (username: string) => {
      const cookie = await logIn(username);
      expect((await agentCall(cookie, 'PUT', '/inbox/api/me/status', { status: 'online' })).statusCode).toBe(204);
      return cookie;
    };
    const assignee = async (conversationId: string) =>
      (
        await hub.ctx.storage.db
          .selectFrom('inbox_threads')
          .select('agent_id')
          .where('conversation_id', '=', conversationId)
          .executeTakeFirstOrThrow()
      ).agent_id;
    /** An agent and a team of the other bank: targets this page's agents must never reach. */
    const otherBankTargets = async (teamName: string) => ({
      otto: await hub.services.agents.create({ pageId: otherBank.page_id, username: 'otto', password: AGENT_PASSWORD }),
      otherTeam: await hub.services.inbox.createTeam({ pageId: otherBank.page_id, name: teamName }),
    });
    /** Alice, handed over for a locked card, already answered by Ada: her conversation and Ada's cookie. */
    async function aliceAnsweredByAda() {
      const alice = await customerWith(bank, 'alice');
      await handOver(bank, alice.psid, fraud('card locked'));
      const adaCookie = await logIn('ada');
      await agentCall(adaCookie, 'POST', `/inbox/api/conversations/${alice.conversationId}/messages`, {
        text: 'Looking into it.',
      });
      return { alice, adaCookie };
    }

    it('teams: unique per page, refused for an unknown page; agents join a team of their page only', async () => {
      await expect(hub.services.inbox.createTeam({ pageId: bank.page_id, name: 'fraud' })).rejects.toMatchObject({
        key: 'BAD_REQUEST',
      });
      await expect(hub.services.inbox.createTeam({ pageId: '999', name: 'General' })).rejects.toMatchObject({
        key: 'NOT_FOUND',
      });
      await expect(hub.services.inbox.createTeam({ pageId: bank.page_id, name: '' })).rejects.toMatchObject({
        key: 'BAD_REQUEST',
      });
      await expect(
        hub.services.agents.create({
          pageId: otherBank.page_id,
          username: 'otto',
          password: AGENT_PASSWORD,
          team: 'Fraud',
        }),
      ).rejects.toMatchObject({
        key: 'NOT_FOUND',
      });
      await expect(agent('zed', 'Zed', 'Fraud', 0)).rejects.toMatchObject({ key: 'BAD_REQUEST' });
      expect(await hub.ctx.storage.db.selectFrom('agents').select('id').execute()).toEqual([]);
      const dana = await agent('dana', 'Dana', 'Fraud');
      const me = (await agentCall(await logIn('dana'), 'GET', '/inbox/api/me')).json().agent;
      expect(me).toMatchObject({
        team: { id: dana.team_id, name: 'Fraud' },
        role: 'agent',
        status: 'offline',
        capacity: 3,
      });
    });

    it('a hand-over naming the team goes to its online agent with capacity, oldest first; a resolve frees room for the next', async () => {
      await agent('dana', 'Dana', 'Fraud', 1);
      await agent('finn', 'Finn', 'Fraud', 1); // stays offline
      const alice = await customerWith(bank, 'alice');
      const bob = await customerWith(bank, 'bob');
      const carl = await customerWith(bank, 'carl');
      await handOver(bank, alice.psid, fraud('card locked'));
      clock.advance(1000);
      await handOver(bank, bob.psid, fraud('second alert'));
      clock.advance(1000);
      await handOver(bank, carl.psid, JSON.stringify({ team: 'Cards', reason: 'new card' }));
      // Nobody online yet: all wait.
      expect(await assignee(alice.conversationId)).toBeNull();
      const dana = await online('dana');
      const danaId = (await agentCall(dana, 'GET', '/inbox/api/me')).json().agent.id;
      expect(await assignee(alice.conversationId)).toBe(danaId);
      expect(await assignee(bob.conversationId)).toBeNull();
      const queue = (await agentCall(dana, 'GET', '/inbox/api/queue')).json().data;
      expect(queue.map((q: { reason: string; team: { name: string } }) => [q.reason, q.team.name])).toEqual([
        ['card locked', 'Fraud'],
        ['second alert', 'Fraud'],
        ['new card', 'Cards'],
      ]);
      expect((await customerTexts(alice.cookie, alice.conversationId)).at(-1)).toEqual({
        text: 'Dana from the Fraud team joined',
        persona: undefined,
      });
      // Resolving alice's frees Dana for bob's, the next in line; Cards has no auto-assign.
      await agentCall(dana, 'POST', `/inbox/api/conversations/${alice.conversationId}/resolve`);
      expect(await assignee(bob.conversationId)).toBe(danaId);
      expect(await assignee(carl.conversationId)).toBeNull();
      expect(
        (
          await hub.ctx.storage.db
            .selectFrom('conversations')
            .select('thread_owner_app_id')
            .where('id', '=', bob.conversationId)
            .executeTakeFirstOrThrow()
        ).thread_owner_app_id,
      ).toBe(PAGE_INBOX_APP_ID);
    });

    it('an unknown team leaves the conversation waiting with its reason; away agents get nothing', async () => {
      await agent('dana', 'Dana', 'Fraud');
      const cookie = await logIn('dana');
      expect((await agentCall(cookie, 'PUT', '/inbox/api/me/status', { status: 'away' })).statusCode).toBe(204);
      for (const bad of [{ status: 'busy' }, {}, { status: 'online', x: 1 }]) {
        expect((await agentCall(cookie, 'PUT', '/inbox/api/me/status', bad)).statusCode).toBe(400);
      }
      const alice = await customerWith(bank, 'alice');
      const bob = await customerWith(bank, 'bob');
      await handOver(bank, alice.psid, fraud('card locked'));
      await handOver(bank, bob.psid, JSON.stringify({ team: 'Mortgages', reason: 'rates' }));
      expect(await assignee(alice.conversationId)).toBeNull();
      const queue = (await agentCall(cookie, 'GET', '/inbox/api/queue')).json().data;
      expect(queue.find((q: { conversation_id: string }) => q.conversation_id === bob.conversationId)).toMatchObject({
        team: null,
        reason: 'rates',
        status: 'open',
      });
    });

    it('assign and transfer: to an agent or a team of the page, keeping the history; other pages answer 404; only the assignee or a supervisor', async () => {
      const ada = await agent('ada', 'Ada', 'Fraud');
      const dana = await agent('dana', 'Dana', 'Fraud');
      await agent('bea', 'Bea');
      await hub.services.agents.create({
        pageId: bank.page_id,
        username: 'rosa',
        password: AGENT_PASSWORD,
        displayName: 'Rosa',
        role: 'supervisor',
      });
      const { otto, otherTeam } = await otherBankTargets('Fraud');
      const cards = await teamId(bank, 'Cards');
      const { alice, adaCookie } = await aliceAnsweredByAda();
      const assign = (cookie: string, body: object) =>
        agentCall(cookie, 'POST', `/inbox/api/conversations/${alice.conversationId}/assign`, body);
      for (const bad of [{}, { agent_id: dana.id, team_id: cards }, { agent_id: '' }, { agent_id: dana.id, x: 1 }])
        expect((await assign(adaCookie, bad)).statusCode).toBe(400);
      for (const foreign of [{ agent_id: otto.id }, { team_id: otherTeam.id }, { agent_id: 'ag_unknown' }]) {
        const res = await assign(adaCookie, foreign);
        expect(res.statusCode).toBe(404);
        expect(res.json().error.code).toBe('NOT_FOUND');
      }
      expect(await assignee(alice.conversationId)).toBe(ada.id);
      expect((await assign(await logIn('bea'), { agent_id: dana.id })).json().error.code).toBe('CONVERSATION_TAKEN');
      expect((await assign(adaCookie, { agent_id: dana.id })).statusCode).toBe(204);
      expect(await assignee(alice.conversationId)).toBe(dana.id);
      expect((await customerTexts(alice.cookie, alice.conversationId)).map((m) => m.text)).toEqual([
        'hello from alice',
        'Ada from the Fraud team joined',
        'Looking into it.',
        'Dana from the Fraud team joined',
      ]);
      // A supervisor moves it back to a team's queue; the history stays.
      expect((await assign(await logIn('rosa'), { team_id: cards })).statusCode).toBe(204);
      const view = (
        await agentCall(await logIn('dana'), 'GET', `/inbox/api/conversations/${alice.conversationId}`)
      ).json();
      expect(view).toMatchObject({ status: 'open', assigned_agent: null, team: { name: 'Cards' } });
      expect(view.messages.map((m: { body: { text: string } }) => m.body.text)).toContain('Looking into it.');
      // Another page's agent cannot move it.
      expect((await assign(await logIn('otto'), { agent_id: otto.id })).statusCode).toBe(404);
    });

    it('a transfer may carry a note: stored as an internal note, never sent to the customer; bad input writes nothing', async () => {
      const ada = await agent('ada', 'Ada', 'Fraud');
      const dana = await agent('dana', 'Dana', 'Cards');
      const { otto, otherTeam } = await otherBankTargets('Cards');
      const cards = await teamId(bank, 'Cards');
      const { alice, adaCookie } = await aliceAnsweredByAda();
      // The targets: this page's teams and agents (with status and load), never the other page's.
      const targets = (await agentCall(adaCookie, 'GET', '/inbox/api/transfer-targets')).json();
      expect(targets.teams.map((t: { name: string }) => t.name)).toEqual(['Cards', 'Fraud']);
      expect(targets.agents).toEqual([
        { id: ada.id, display_name: 'Ada', team: 'Fraud', status: 'offline', load: 1, capacity: expect.any(Number) },
        { id: dana.id, display_name: 'Dana', team: 'Cards', status: 'offline', load: 0, capacity: expect.any(Number) },
      ]);
      const assign = (body: object) =>
        agentCall(adaCookie, 'POST', `/inbox/api/conversations/${alice.conversationId}/assign`, body);
      const notes = async () => {
        const res = await agentCall(adaCookie, 'GET', `/inbox/api/conversations/${alice.conversationId}/notes`);
        return res.json().data.map((n: { text: string; author: { id: string } }) => [n.author.id, n.text]);
      };
      const bad: [object, number][] = [
        [{ team_id: cards, note: '' }, 400],
        [{ team_id: cards, note: '   ' }, 400],
        [{ team_id: cards, note: 'x'.repeat(2001) }, 400],
        [{ team_id: cards, note: 7 }, 400],
        [{ agent_id: otto.id, note: 'to the other bank' }, 404],
        [{ team_id: otherTeam.id, note: 'to the other bank' }, 404],
        [{ team_id: 'tm_unknown', note: 'nowhere' }, 404],
      ];
      for (const [body, status] of bad) {
        const res = await assign(body);
        expect(res.statusCode).toBe(status);
        expect(res.json().error.message).toBeTruthy();
      }
      expect(await notes()).toEqual([]);
      expect(await assignee(alice.conversationId)).toBe(ada.id);

      // To the Cards team with a note: queued there, the note is the conversation's, the history stays.
      expect(
        (await assign({ team_id: cards, note: 'Card 4111 1111 1111 1111 stolen; needs a new one' })).statusCode,
      ).toBe(204);
      const [stored] = await notes();
      expect(stored[0]).toBe(ada.id);
      expect(stored[1]).toMatch(/^Card .* stolen; needs a new one$/);
      expect(stored[1]).not.toContain('4111 1111 1111 1111');
      const danaCookie = await logIn('dana');
      const view = (await agentCall(danaCookie, 'GET', `/inbox/api/conversations/${alice.conversationId}`)).json();
      expect(view).toMatchObject({ status: 'open', assigned_agent: null, team: { name: 'Cards' } });
      expect(view.messages.map((m: { body: { text: string } }) => m.body.text)).toContain('Looking into it.');
      // Then to Dana with another note; the customer never sees either.
      clock.advance(60_000);
      await agentCall(danaCookie, 'POST', `/inbox/api/conversations/${alice.conversationId}/take`);
      expect(
        (
          await agentCall(danaCookie, 'POST', `/inbox/api/conversations/${alice.conversationId}/assign`, {
            agent_id: ada.id,
            note: 'Back to you for the fraud case',
          })
        ).statusCode,
      ).toBe(204);
      expect(await assignee(alice.conversationId)).toBe(ada.id);
      expect((await notes()).map((n: string[]) => n[1])).toEqual([stored[1], 'Back to you for the fraud case']);
      expect((await notes())[1][0]).toBe(dana.id);
      const seen = (await customerTexts(alice.cookie, alice.conversationId)).map((m) => m.text ?? '');
      expect(seen).toContain('Looking into it.');
      expect(seen.join('\n')).not.toMatch(/stolen|fraud case/);
      const sealed = await hub.ctx.storage.db.selectFrom('inbox_notes').select('body').execute();
      expect(sealed.map((r) => r.body).join()).not.toContain('stolen');
      const outbox = await hub.ctx.storage.db.selectFrom('webhook_outbox').selectAll().execute();
      expect(JSON.stringify(outbox)).not.toMatch(/stolen|fraud case/);
      // Reading the notes is audited.
      await hub.services.privacy.flush();
      const audited = await hub.ctx.storage.db
        .selectFrom('audit_log')
        .select('actor')
        .where('action', '=', 'content.access')
        .where('customer_id', '=', alice.id)
        .where('actor', '=', `agent:${ada.id}`)
        .execute();
      expect(audited.length).toBeGreaterThan(0);
    });

    it("outside a team's business hours the customer is told when someone will answer; inside, nothing", async () => {
      await hub.services.inbox.createTeam({
        pageId: bank.page_id,
        name: 'Night',
        hours: { tz: 'Europe/London', open: '09:00', close: '17:00', days: [1, 2, 3, 4, 5] },
      });
      await expect(
        hub.services.inbox.createTeam({
          pageId: bank.page_id,
          name: 'Bad',
          hours: { tz: 'Nowhere/City', open: '09:00', close: '17:00', days: [1] },
        }),
      ).rejects.toMatchObject({
        key: 'BAD_REQUEST',
      });
      const night = JSON.stringify({ team: 'Night', reason: 'late question' });
      clock.set(Date.UTC(2026, 11, 4, 18, 0)); // Friday 18:00 in London
      const alice = await customerWith(bank, 'alice');
      await handOver(bank, alice.psid, night);
      expect((await customerTexts(alice.cookie, alice.conversationId)).at(-1)?.text).toBe(
        'Our Night team is away right now. Someone will answer from Monday 09:00 (Europe/London time).',
      );
      clock.set(Date.UTC(2026, 11, 7, 10, 0)); // Monday 10:00
      const bob = await customerWith(bank, 'bob');
      await handOver(bank, bob.psid, night);
      expect((await customerTexts(bob.cookie, bob.conversationId)).map((m) => m.text)).toEqual(['hello from bob']);
    });
  });
}

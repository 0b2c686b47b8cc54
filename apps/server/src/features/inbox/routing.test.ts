import { PAGE_INBOX_APP_ID } from '@confide/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, createPage, DIALECTS, testClock, type TestClock, type TestHub } from '../../../test/helpers.js';
import { AGENT_PASSWORD, inboxKit, type Page } from '../../../test/inbox-kit.js';
import { parseHandoverMetadata } from './routing.js';

describe('parseHandoverMetadata', () => {
  it('reads a team and a reason from JSON; plain text is the reason', () => {
    expect(parseHandoverMetadata('{"team":"Fraud","reason":"card locked"}')).toEqual({ team: 'Fraud', reason: 'card locked' });
    expect(parseHandoverMetadata('needs a human')).toEqual({ team: null, reason: 'needs a human' });
    expect(parseHandoverMetadata('[1,2]')).toEqual({ team: null, reason: '[1,2]' });
    expect(parseHandoverMetadata('{"team":7}')).toEqual({ team: null, reason: null });
    expect(parseHandoverMetadata(undefined)).toEqual({ team: null, reason: null });
  });
});

for (const dialect of DIALECTS) {
  describe(`${dialect}: inbox teams and routing`, () => {
    let hub: TestHub;
    let clock: TestClock;
    let bank: Page;
    let otherBank: Page;
    const { logIn, agentCall, customerWith, handOver, customerTexts } = inboxKit(() => hub);
    const fraud = (reason: string) => JSON.stringify({ team: 'Fraud', reason });

    beforeEach(async () => {
      clock = testClock();
      hub = await buildTestHub({ dialect, clock, env: { SERVICES: 'api' } });
      bank = await createPage(hub, { name: 'Inbox Bank', webhookUrl: 'http://127.0.0.1:9/hook', verifyToken: 'v' });
      otherBank = await createPage(hub, { name: 'Other Bank', webhookUrl: 'http://127.0.0.1:9/other', verifyToken: 'v' });
      await hub.services.inbox.createTeam({ pageId: bank.page_id, name: 'Fraud' });
      await hub.services.inbox.createTeam({ pageId: bank.page_id, name: 'Cards', autoAssign: false });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    const agent = (username: string, displayName: string, team?: string, capacity?: number) =>
      hub.services.agents.create({ pageId: bank.page_id, username, password: AGENT_PASSWORD, displayName, team, capacity });
    const online = async (username: string) => {
      const cookie = await logIn(username);
      expect((await agentCall(cookie, 'PUT', '/inbox/api/me/status', { status: 'online' })).statusCode).toBe(204);
      return cookie;
    };
    const assignee = async (conversationId: string) =>
      (await hub.ctx.storage.db.selectFrom('inbox_threads').select('agent_id').where('conversation_id', '=', conversationId).executeTakeFirstOrThrow())
        .agent_id;

    it('teams: unique per page, refused for an unknown page; agents join a team of their page only', async () => {
      await expect(hub.services.inbox.createTeam({ pageId: bank.page_id, name: 'fraud' })).rejects.toMatchObject({ key: 'BAD_REQUEST' });
      await expect(hub.services.inbox.createTeam({ pageId: '999', name: 'General' })).rejects.toMatchObject({ key: 'NOT_FOUND' });
      await expect(hub.services.inbox.createTeam({ pageId: bank.page_id, name: '' })).rejects.toMatchObject({ key: 'BAD_REQUEST' });
      await expect(hub.services.agents.create({ pageId: otherBank.page_id, username: 'otto', password: AGENT_PASSWORD, team: 'Fraud' })).rejects.toMatchObject({
        key: 'NOT_FOUND',
      });
      await expect(agent('zed', 'Zed', 'Fraud', 0)).rejects.toMatchObject({ key: 'BAD_REQUEST' });
      expect(await hub.ctx.storage.db.selectFrom('agents').select('id').execute()).toEqual([]);
      const dana = await agent('dana', 'Dana', 'Fraud');
      const me = (await agentCall(await logIn('dana'), 'GET', '/inbox/api/me')).json().agent;
      expect(me).toMatchObject({ team: { id: dana.team_id, name: 'Fraud' }, role: 'agent', status: 'offline', capacity: 3 });
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
      expect((await customerTexts(alice.cookie, alice.conversationId)).at(-1)).toEqual({ text: 'Dana from the Fraud team joined', persona: undefined });
      // Resolving alice's frees Dana for bob's, the next in line; Cards has no auto-assign.
      await agentCall(dana, 'POST', `/inbox/api/conversations/${alice.conversationId}/resolve`);
      expect(await assignee(bob.conversationId)).toBe(danaId);
      expect(await assignee(carl.conversationId)).toBeNull();
      expect(
        (await hub.ctx.storage.db.selectFrom('conversations').select('thread_owner_app_id').where('id', '=', bob.conversationId).executeTakeFirstOrThrow())
          .thread_owner_app_id,
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
  });
}

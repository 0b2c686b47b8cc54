import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, createPage, DIALECTS, testClock, type TestClock, type TestHub } from '../../../test/helpers.js';
import { inboxKit, type Page } from '../../../test/inbox-kit.js';
import { SlaWorker } from './sla-worker.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: SLA timers and the supervisor view`, () => {
    let hub: TestHub;
    let clock: TestClock;
    let bank: Page;
    let otherBank: Page;
    let fraudId: string;
    const { logIn, agentCall, customerWith, handOver } = inboxKit(() => hub);
    const agent = (page: Page, username: string, role: 'agent' | 'supervisor', team?: string) =>
      hub.services.agents.create({
        pageId: page.page_id,
        username,
        password: 'agent password 1',
        displayName: username[0]?.toUpperCase() + username.slice(1),
        role,
        team,
      });
    const toFraud = (psid: string) => handOver(bank, psid, JSON.stringify({ team: 'Fraud', reason: 'card locked' }));
    const policies = () => hub.ctx.storage.db.selectFrom('inbox_sla_policies').selectAll().execute();

    beforeEach(async () => {
      clock = testClock();
      hub = await buildTestHub({ dialect, clock, env: { SERVICES: 'api' } });
      bank = await createPage(hub, { name: 'Inbox Bank', webhookUrl: 'http://127.0.0.1:9/hook', verifyToken: 'v' });
      otherBank = await createPage(hub, { name: 'Other Bank', webhookUrl: 'http://127.0.0.1:9/o', verifyToken: 'v' });
      fraudId = (await hub.services.inbox.createTeam({ pageId: bank.page_id, name: 'Fraud', autoAssign: false })).id;
    });
    afterEach(async () => {
      await hub.dispose();
    });

    it('an SLA breach fires when the first reply is late (injected clock); a timely reply meets it', async () => {
      await agent(bank, 'sam', 'supervisor');
      await agent(bank, 'ada', 'agent', 'Fraud');
      const sam = await logIn('sam');
      const set = await agentCall(sam, 'PUT', `/inbox/api/teams/${fraudId}/sla`, {
        first_reply_seconds: 60,
        resolution_seconds: 3600,
      });
      expect(set.statusCode).toBe(204);
      const alice = await customerWith(bank, 'alice');
      const bob = await customerWith(bank, 'bob');
      const queuedAt = clock.now();
      await toFraud(alice.psid);
      await toFraud(bob.psid);
      const ada = await logIn('ada');
      const slaOf = async (id: string) =>
        (await agentCall(ada, 'GET', '/inbox/api/queue'))
          .json()
          .data.find((c: { conversation_id: string }) => c.conversation_id === id).sla;
      expect(await slaOf(alice.conversationId)).toEqual({
        first_reply_due_at: queuedAt + 60_000,
        resolution_due_at: queuedAt + 3_600_000,
        breached: [],
      });
      // Bob gets an answer in time; alice does not.
      clock.advance(30_000);
      const replied = await agentCall(ada, 'POST', `/inbox/api/conversations/${bob.conversationId}/messages`, {
        text: 'Hello Bob, I am looking at your card now.',
      });
      expect(replied.statusCode).toBe(201);
      expect((await slaOf(bob.conversationId)).first_reply_due_at).toBeNull();
      const worker = new SlaWorker(hub.ctx, 0);
      clock.advance(29_000);
      expect(await worker.tick()).toBe(0);
      clock.advance(2_000);
      expect(await worker.tick()).toBe(1);
      expect(await worker.tick()).toBe(0);
      expect(await slaOf(alice.conversationId)).toMatchObject({ breached: ['first_reply'] });
      expect((await slaOf(bob.conversationId)).breached).toEqual([]);
      await hub.services.privacy.flush();
      const audit = await hub.ctx.storage.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'inbox.sla_breached')
        .execute();
      expect(audit.map((r) => [r.actor, r.target, JSON.parse(r.details).kind])).toEqual([
        ['worker', alice.conversationId, 'first_reply'],
      ]);
      const view = (await agentCall(sam, 'GET', '/inbox/api/supervision')).json();
      expect(view.breaches).toEqual([
        expect.objectContaining({
          conversation_id: alice.conversationId,
          kind: 'first_reply',
          due_at: queuedAt + 60_000,
          breached_at: clock.now(),
          team: 'Fraud',
        }),
      ]);
    });

    it('refuses invalid SLA values, plain agents and another page’s team, writing nothing', async () => {
      await agent(bank, 'sam', 'supervisor');
      await agent(bank, 'ada', 'agent');
      await agent(otherBank, 'olga', 'supervisor');
      const sam = await logIn('sam');
      const put = (cookie: string, body: object, team = fraudId) =>
        agentCall(cookie, 'PUT', `/inbox/api/teams/${team}/sla`, body);
      for (const body of [
        { first_reply_seconds: 5, resolution_seconds: 3600 },
        { first_reply_seconds: 60, resolution_seconds: 100 * 24 * 3600 },
        { first_reply_seconds: 7200, resolution_seconds: 3600 },
        { first_reply_seconds: 60.5, resolution_seconds: 3600 },
        { first_reply_seconds: 60 },
      ]) {
        const res = await put(sam, body);
        expect(res.statusCode).toBe(400);
        expect(res.json().error.message).toMatch(/first_reply_seconds|resolution_seconds|Invalid|expected/i);
      }
      const ok = { first_reply_seconds: 60, resolution_seconds: 3600 };
      expect((await put(await logIn('ada'), ok)).json().error.code).toBe('FORBIDDEN');
      expect((await put(await logIn('olga'), ok)).statusCode).toBe(404);
      expect(await policies()).toEqual([]);
    });

    it('the supervisor view: queue and oldest wait per team, agents with load; reading without taking is audited', async () => {
      await agent(bank, 'sam', 'supervisor');
      const ada = await agent(bank, 'ada', 'agent', 'Fraud');
      const alice = await customerWith(bank, 'alice');
      const bob = await customerWith(bank, 'bob');
      await toFraud(alice.psid);
      clock.advance(10_000);
      await toFraud(bob.psid);
      clock.advance(5_000);
      const adaCookie = await logIn('ada');
      await agentCall(adaCookie, 'POST', `/inbox/api/conversations/${bob.conversationId}/take`);
      const sam = await logIn('sam');
      const view = (await agentCall(sam, 'GET', '/inbox/api/supervision')).json();
      expect(view.teams).toEqual([
        { id: fraudId, name: 'Fraud', waiting: 1, oldest_wait_ms: 15_000, sla: null },
        { id: null, name: 'No team', waiting: 0, oldest_wait_ms: null, sla: null },
      ]);
      expect(view.agents).toEqual([
        expect.objectContaining({ id: ada.id, display_name: 'Ada', team: 'Fraud', load: 1, capacity: 3 }),
        expect.objectContaining({ display_name: 'Sam', role: 'supervisor', load: 0 }),
      ]);
      expect((await agentCall(adaCookie, 'GET', '/inbox/api/supervision')).statusCode).toBe(403);
      const read = await agentCall(sam, 'GET', `/inbox/api/supervision/conversations/${bob.conversationId}`);
      expect(read.statusCode).toBe(200);
      expect(read.json()).toMatchObject({ assigned_agent: { id: ada.id }, status: 'assigned' });
      const olgaAgent = await agent(otherBank, 'olga', 'supervisor');
      const olga = await logIn('olga');
      expect(
        (await agentCall(olga, 'GET', `/inbox/api/supervision/conversations/${bob.conversationId}`)).statusCode,
      ).toBe(404);
      await hub.services.privacy.flush();
      const audit = await hub.ctx.storage.db
        .selectFrom('audit_log')
        .select(['actor', 'target'])
        .where('action', '=', 'inbox.supervisor_read')
        .execute();
      expect(audit).toEqual([{ actor: expect.stringMatching(/^agent:/), target: bob.conversationId }]);
      expect(audit[0]?.actor).not.toBe(`agent:${olgaAgent.id}`);
    });
  });
}

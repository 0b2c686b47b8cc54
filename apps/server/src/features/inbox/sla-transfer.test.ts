import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, createPage, DIALECTS, testClock, type TestClock, type TestHub } from '../../../test/helpers.js';
import { inboxKit, type Page } from '../../../test/inbox-kit.js';
import { SlaWorker } from './sla-worker.js';

const SECOND = 1000;

for (const dialect of DIALECTS) {
  describe(`${dialect}: SLA timers follow a transfer (injected clock)`, () => {
    let hub: TestHub;
    let clock: TestClock;
    let bank: Page;
    const teams: Record<string, string> = {};
    const { logIn, agentCall, customerWith, handOver } = inboxKit(() => hub);
    const agent = (username: string, role: 'agent' | 'supervisor', team?: string) =>
      hub.services.agents.create({
        pageId: bank.page_id,
        username,
        password: 'agent password 1',
        displayName: username,
        role,
        team,
      });
    const slaOf = async (cookie: string, conversationId: string) => {
      const queue = (await agentCall(cookie, 'GET', '/inbox/api/queue')).json();
      return queue.data.find((c: { conversation_id: string }) => c.conversation_id === conversationId).sla;
    };
    const transfer = async (cookie: string, conversationId: string, target: object) => {
      const res = await agentCall(cookie, 'POST', `/inbox/api/conversations/${conversationId}/assign`, target);
      expect(res.statusCode).toBeLessThan(300);
    };
    const breaches = async () => {
      await hub.services.privacy.flush();
      const rows = await hub.ctx.storage.db
        .selectFrom('audit_log')
        .select(['target', 'details'])
        .where('action', '=', 'inbox.sla_breached')
        .execute();
      return rows.map((r) => ({ target: r.target, ...(JSON.parse(r.details) as { team: string; kind: string }) }));
    };

    beforeEach(async () => {
      clock = testClock();
      hub = await buildTestHub({ dialect, clock, env: { SERVICES: 'api' } });
      bank = await createPage(hub, { name: 'Inbox Bank', webhookUrl: 'http://127.0.0.1:9/hook', verifyToken: 'v' });
      for (const name of ['Fraud', 'Cards', 'General'])
        teams[name] = (await hub.services.inbox.createTeam({ pageId: bank.page_id, name, autoAssign: false })).id;
      await agent('sam', 'supervisor');
      await agent('ada', 'agent', 'Fraud');
      await agent('carl', 'agent', 'Cards');
      const sam = await logIn('sam');
      const targets = { Fraud: [60, 3600], Cards: [120, 7200] };
      for (const [team, [first, resolution]] of Object.entries(targets)) {
        const set = await agentCall(sam, 'PUT', `/inbox/api/teams/${teams[team]}/sla`, {
          first_reply_seconds: first,
          resolution_seconds: resolution,
        });
        expect(set.statusCode).toBe(204);
      }
    });
    afterEach(async () => {
      await hub.dispose();
    });

    it('a running timer keeps the customer’s wait start and takes the target team’s target', async () => {
      const sam = await logIn('sam');
      const alice = await customerWith(bank, 'alice');
      const start = clock.now();
      await handOver(bank, alice.psid, JSON.stringify({ team: 'Fraud', reason: 'card locked' }));
      clock.advance(30 * SECOND);
      await transfer(sam, alice.conversationId, { team_id: teams.Cards });
      // Cards' targets (120 s, 2 h) counted from the hand-over, not from the transfer.
      expect(await slaOf(sam, alice.conversationId)).toEqual({
        first_reply_due_at: start + 120 * SECOND,
        resolution_due_at: start + 7200 * SECOND,
        breached: [],
      });
      const worker = new SlaWorker(hub.ctx, 0);
      clock.set(start + 119 * SECOND);
      expect(await worker.tick()).toBe(0);
      clock.set(start + 121 * SECOND);
      expect(await worker.tick()).toBe(1);
      expect(await breaches()).toEqual([
        expect.objectContaining({ target: alice.conversationId, team: teams.Cards, kind: 'first_reply' }),
      ]);
    });

    it('a first reply already given stays met; the resolution timer runs on under the new target', async () => {
      const sam = await logIn('sam');
      const ada = await logIn('ada');
      const bob = await customerWith(bank, 'bob');
      const start = clock.now();
      await handOver(bank, bob.psid, JSON.stringify({ team: 'Fraud', reason: 'card locked' }));
      const take = await agentCall(ada, 'POST', `/inbox/api/conversations/${bob.conversationId}/take`);
      expect(take.statusCode).toBe(204);
      clock.advance(10 * SECOND);
      const reply = await agentCall(ada, 'POST', `/inbox/api/conversations/${bob.conversationId}/messages`, {
        text: 'Hello Bob, a colleague from Cards will take over.',
      });
      expect(reply.statusCode).toBe(201);
      clock.advance(20 * SECOND);
      await transfer(ada, bob.conversationId, { team_id: teams.Cards });
      expect(await slaOf(sam, bob.conversationId)).toEqual({
        first_reply_due_at: null,
        resolution_due_at: start + 7200 * SECOND,
        breached: [],
      });
      // Long past Cards' first-reply target: the reply given before the transfer still counts.
      clock.set(start + 3599 * SECOND);
      expect(await new SlaWorker(hub.ctx, 0).tick()).toBe(0);
    });

    it('a transfer to an agent keeps both timers; a team without targets stops them; back to a team starts anew', async () => {
      const sam = await logIn('sam');
      const carl = await hub.ctx.storage.db
        .selectFrom('agents')
        .select('id')
        .where('username', '=', 'carl')
        .executeTakeFirstOrThrow();
      const cleo = await customerWith(bank, 'cleo');
      const start = clock.now();
      await handOver(bank, cleo.psid, JSON.stringify({ team: 'Fraud', reason: 'card locked' }));
      const before = await slaOf(sam, cleo.conversationId);
      clock.advance(20 * SECOND);
      await transfer(sam, cleo.conversationId, { agent_id: carl.id });
      expect(await slaOf(sam, cleo.conversationId)).toEqual(before);
      expect(before.first_reply_due_at).toBe(start + 60 * SECOND);

      clock.advance(10 * SECOND);
      await transfer(sam, cleo.conversationId, { team_id: teams.General });
      expect(await slaOf(sam, cleo.conversationId)).toBeUndefined();
      clock.set(start + 3 * 3600 * SECOND);
      expect(await new SlaWorker(hub.ctx, 0).tick()).toBe(0);

      // General owed nothing: Cards' timers start at this transfer.
      const movedAt = clock.now();
      await transfer(sam, cleo.conversationId, { team_id: teams.Cards });
      expect(await slaOf(sam, cleo.conversationId)).toEqual({
        first_reply_due_at: movedAt + 120 * SECOND,
        resolution_due_at: movedAt + 7200 * SECOND,
        breached: [],
      });
    });

    it('a breach recorded before the transfer stays recorded and is not fired twice', async () => {
      const sam = await logIn('sam');
      const dan = await customerWith(bank, 'dan');
      const start = clock.now();
      await handOver(bank, dan.psid, JSON.stringify({ team: 'Fraud', reason: 'card locked' }));
      const worker = new SlaWorker(hub.ctx, 0);
      clock.set(start + 61 * SECOND);
      expect(await worker.tick()).toBe(1);
      await transfer(sam, dan.conversationId, { team_id: teams.Cards });
      // The breached timer keeps the due time it was breached at (Fraud's), still unmet.
      expect(await slaOf(sam, dan.conversationId)).toEqual({
        first_reply_due_at: start + 60 * SECOND,
        resolution_due_at: start + 7200 * SECOND,
        breached: ['first_reply'],
      });
      clock.set(start + 121 * SECOND);
      expect(await worker.tick()).toBe(0);
      expect(await breaches()).toHaveLength(1);
    });
  });
}

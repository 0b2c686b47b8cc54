import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, createPage, DIALECTS, testClock, type TestHub } from '../../../test/helpers.js';
import { AGENT_PASSWORD, inboxKit, type Page } from '../../../test/inbox-kit.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: canned responses`, () => {
    let hub: TestHub;
    let bank: Page;
    let otherBank: Page;
    const { logIn, agentCall, customerWith, handOver, teamId } = inboxKit(() => hub);

    beforeEach(async () => {
      hub = await buildTestHub({ dialect, clock: testClock(), env: { SERVICES: 'api' } });
      bank = await createPage(hub, { name: 'Inbox Bank', webhookUrl: 'http://127.0.0.1:9/hook', verifyToken: 'v' });
      otherBank = await createPage(hub, {
        name: 'Other Bank',
        webhookUrl: 'http://127.0.0.1:9/other',
        verifyToken: 'v',
      });
      await hub.services.inbox.createTeam({ pageId: bank.page_id, name: 'Fraud' });
      await hub.services.inbox.createTeam({ pageId: bank.page_id, name: 'Cards' });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    const make = (
      username: string,
      team: string | undefined,
      role: 'agent' | 'supervisor' = 'agent',
      pageId = bank.page_id,
    ) => hub.services.agents.create({ pageId, username, password: AGENT_PASSWORD, displayName: username, team, role });

    it('supervisors create them per team; unknown variables are refused; agents fill them with the customer and the case', async () => {
      await make('rosa', 'Fraud', 'supervisor');
      await make('dana', 'Fraud');
      await make('carl', 'Cards');
      const rosa = await logIn('rosa');
      const dana = await logIn('dana');
      const fraud = await teamId(bank, 'Fraud');
      const create = (cookie: string, body: object) => agentCall(cookie, 'POST', '/inbox/api/canned', body);
      expect((await create(dana, { title: 'Hi', text: 'Hello' })).statusCode).toBe(403);
      const unknown = await create(rosa, { title: 'Bad', text: 'Hello {{last_name}}', team_id: fraud });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().error.message).toContain('{{last_name}}');
      const otherTeam = await hub.services.inbox.createTeam({ pageId: otherBank.page_id, name: 'Fraud' });
      expect((await create(rosa, { title: 'X', text: 'x', team_id: otherTeam.id })).statusCode).toBe(404);
      expect(await hub.ctx.storage.db.selectFrom('inbox_canned').select('id').execute()).toEqual([]);
      const made = await create(rosa, {
        title: 'Unlock',
        text: 'Hi {{first_name}}, case {{ case_ref }} is being reviewed.',
        team_id: fraud,
      });
      expect(made.statusCode).toBe(201);
      // Dana (Fraud) sees it; Carl (Cards) does not.
      expect(
        (await agentCall(dana, 'GET', '/inbox/api/canned')).json().data.map((c: { title: string }) => c.title),
      ).toEqual(['Unlock']);
      expect((await agentCall(await logIn('carl'), 'GET', '/inbox/api/canned')).json().data).toEqual([]);
      const alice = await customerWith(bank, 'alice');
      await handOver(bank, alice.psid, JSON.stringify({ team: 'Fraud', reason: 'locked', case_ref: 'FC-1042' }));
      const filled = await agentCall(
        dana,
        'POST',
        `/inbox/api/conversations/${alice.conversationId}/canned/${made.json().id}`,
      );
      expect(filled.json()).toEqual({ text: 'Hi alice, case FC-1042 is being reviewed.' });
      // Without a case reference the fill is refused rather than sent half-filled.
      const bob = await customerWith(bank, 'bob');
      await handOver(bank, bob.psid, 'plain reason');
      const missing = await agentCall(
        dana,
        'POST',
        `/inbox/api/conversations/${bob.conversationId}/canned/${made.json().id}`,
      );
      expect(missing.statusCode).toBe(400);
      expect(missing.json().error.message).toContain('case_ref');
      // Another page's conversation is unknown.
      await make('otto', undefined, 'agent', otherBank.page_id);
      const carol = await customerWith(otherBank, 'carol');
      await handOver(otherBank, carol.psid);
      expect(
        (await agentCall(dana, 'POST', `/inbox/api/conversations/${carol.conversationId}/canned/${made.json().id}`))
          .statusCode,
      ).toBe(404);
    });
  });
}

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, createPage, DIALECTS, testClock, type TestClock, type TestHub } from '../../../test/helpers.js';
import { inboxKit, type Page } from '../../../test/inbox-kit.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: four-eyes approvals`, () => {
    let hub: TestHub;
    let clock: TestClock;
    let bank: Page;
    let otherBank: Page;
    const { logIn, agentCall, customerWith, handOver } = inboxKit(() => hub);
    const agent = (page: Page, username: string, role: 'agent' | 'supervisor' = 'agent') =>
      hub.services.agents.create({
        pageId: page.page_id,
        username,
        password: 'agent password 1',
        displayName: username[0]?.toUpperCase() + username.slice(1),
        role,
      });
    const rows = (table: 'inbox_approvals' | 'webhook_outbox' | 'audit_log') =>
      hub.ctx.storage.db.selectFrom(table).selectAll().execute();
    const approvalEvents = async (customerId: string) =>
      Promise.all(
        (
          await hub.ctx.storage.db.selectFrom('webhook_outbox').selectAll().where('field', '=', 'approvals').execute()
        ).map(async (r) => ({
          app_id: r.app_id,
          payload: await hub.ctx.storage.vault.openPayload(
            { purpose: 'deliver_to_business', actor: 'test' },
            customerId,
            r.payload,
          ),
        })),
      );
    const subscribeApprovals = (page: Page) =>
      hub.ctx.storage.writes.run((tx) =>
        tx.db
          .updateTable('apps')
          .set({ subscribed_fields: JSON.stringify(['messages', 'messaging_handovers', 'approvals']) })
          .where('id', '=', page.app_id)
          .execute(),
      );

    beforeEach(async () => {
      clock = testClock();
      hub = await buildTestHub({ dialect, clock, env: { SERVICES: 'api' } });
      bank = await createPage(hub, { name: 'Inbox Bank', webhookUrl: 'http://127.0.0.1:9/hook', verifyToken: 'v' });
      otherBank = await createPage(hub, { name: 'Other Bank', webhookUrl: 'http://127.0.0.1:9/o', verifyToken: 'v' });
      await subscribeApprovals(bank);
    });
    afterEach(async () => {
      await hub.dispose();
    });

    /** Ada holds alice's conversation and asks for an unlock; Sam supervises the page. */
    async function setUp() {
      const ada = await agent(bank, 'ada');
      const sam = await agent(bank, 'sam', 'supervisor');
      const alice = await customerWith(bank, 'alice');
      await handOver(bank, alice.psid);
      const adaCookie = await logIn('ada');
      expect(
        (await agentCall(adaCookie, 'POST', `/inbox/api/conversations/${alice.conversationId}/take`)).statusCode,
      ).toBe(204);
      const asked = await agentCall(adaCookie, 'POST', `/inbox/api/conversations/${alice.conversationId}/approvals`, {
        kind: 'card_unlock',
        summary: 'Unlock card 4111 1111 1111 1111 after a call',
        details: { card_last4: '1111' },
      });
      expect(asked.statusCode).toBe(201);
      return { ada, sam, alice, adaCookie, samCookie: await logIn('sam'), id: asked.json().id as string };
    }

    it('an agent asks, a supervisor approves with a note: the bank gets an `approvals` event, the audit log both steps', async () => {
      const { ada, sam, alice, adaCookie, samCookie, id } = await setUp();
      const listed = (await agentCall(samCookie, 'GET', '/inbox/api/approvals?status=pending')).json();
      expect(listed.data).toEqual([
        expect.objectContaining({
          id,
          conversation_id: alice.conversationId,
          customer: { psid: alice.psid, first_name: 'alice' },
          kind: 'card_unlock',
          summary: expect.stringMatching(/^Unlock card \*{4} \*{4} \*{4} 1111 after a call$/),
          status: 'pending',
          requested_by: { id: ada.id, display_name: 'Ada' },
          can_decide: true,
        }),
      ]);
      // The asking agent sees it too, but may not decide it.
      expect((await agentCall(adaCookie, 'GET', '/inbox/api/approvals')).json().data[0].can_decide).toBe(false);
      const stored = await rows('inbox_approvals');
      expect(stored[0]?.body).not.toContain('Unlock');
      const res = await agentCall(samCookie, 'POST', `/inbox/api/approvals/${id}/decision`, {
        decision: 'approve',
        note: 'Called the customer back on the number we hold',
      });
      expect(res.statusCode).toBe(204);
      const events = await approvalEvents(alice.id);
      expect(events).toEqual([
        {
          app_id: bank.app_id,
          payload: expect.objectContaining({
            sender: { id: alice.psid },
            recipient: { id: bank.page_id },
            approval: {
              id,
              kind: 'card_unlock',
              status: 'approved',
              details: { card_last4: '1111' },
              note: 'Called the customer back on the number we hold',
              decided_at: hub.ctx.now(),
              decided_by: { name: 'Sam' },
              requested_by: 'agent',
            },
          }),
        },
      ]);
      const decided = (await agentCall(adaCookie, 'GET', '/inbox/api/approvals')).json().data[0];
      expect(decided).toMatchObject({ status: 'approved', decided_by: { id: sam.id }, note: expect.any(String) });
      await hub.services.privacy.flush();
      const audit = (await rows('audit_log')).filter((r) => r.action.startsWith('inbox.approval'));
      expect(audit.map((r) => [r.action, r.actor, r.target])).toEqual([
        ['inbox.approval_requested', `agent:${ada.id}`, id],
        ['inbox.approval_decided', `agent:${sam.id}`, id],
      ]);
      expect(audit.map((r) => r.details).join()).not.toContain('Called');
      // Decided once: a second decision is refused.
      const again = await agentCall(samCookie, 'POST', `/inbox/api/approvals/${id}/decision`, {
        decision: 'reject',
        note: 'changed my mind',
      });
      expect(again.statusCode).toBe(409);
      expect(again.json().error.code).toBe('APPROVAL_DECIDED');
    });

    it('refuses its own request, a plain agent, another page’s supervisor and a bad body, writing nothing', async () => {
      const { adaCookie, id } = await setUp();
      await agent(bank, 'sue', 'supervisor');
      await agent(otherBank, 'olga', 'supervisor');
      const bob = await customerWith(bank, 'bob');
      await handOver(bank, bob.psid);
      const sue = await logIn('sue');
      await agentCall(sue, 'POST', `/inbox/api/conversations/${bob.conversationId}/take`);
      const own = await agentCall(sue, 'POST', `/inbox/api/conversations/${bob.conversationId}/approvals`, {
        kind: 'limit_raise',
        summary: 'Raise the daily limit to 2000',
      });
      expect(own.statusCode).toBe(201);
      const before = { approvals: await rows('inbox_approvals'), outbox: (await rows('webhook_outbox')).length };
      const decide = (cookie: string, approvalId: string, body: object = { decision: 'approve', note: 'ok' }) =>
        agentCall(cookie, 'POST', `/inbox/api/approvals/${approvalId}/decision`, body);
      const ownRes = await decide(sue, own.json().id);
      expect(ownRes.statusCode).toBe(403);
      expect(ownRes.json().error).toMatchObject({
        code: 'APPROVAL_OWN_REQUEST',
        message: expect.stringMatching(/own/),
      });
      expect((await decide(adaCookie, id)).json().error.code).toBe('FORBIDDEN');
      const olga = await logIn('olga');
      const foreign = await decide(olga, id);
      expect(foreign.statusCode).toBe(404);
      expect(foreign.json().error.code).toBe('NOT_FOUND');
      expect((await decide(olga, 'apr_unknown')).statusCode).toBe(404);
      expect((await decide(sue, id, { decision: 'maybe', note: 'x' })).statusCode).toBe(400);
      expect((await decide(sue, id, { decision: 'approve', note: '' })).statusCode).toBe(400);
      // Asking on a conversation the agent does not hold, or of another page.
      const notHeld = await agentCall(adaCookie, 'POST', `/inbox/api/conversations/${bob.conversationId}/approvals`, {
        kind: 'other',
        summary: 'x',
      });
      expect(notHeld.json().error.code).toBe('CONVERSATION_TAKEN');
      const foreignAsk = await agentCall(olga, 'POST', `/inbox/api/conversations/${bob.conversationId}/approvals`, {
        kind: 'other',
        summary: 'x',
      });
      expect(foreignAsk.statusCode).toBe(404);
      // Olga cannot see the bank's requests at all.
      expect((await agentCall(olga, 'GET', '/inbox/api/approvals')).json().data).toEqual([]);
      expect({ approvals: await rows('inbox_approvals'), outbox: (await rows('webhook_outbox')).length }).toEqual(
        before,
      );
    });

    /** The bank's app asks through the Platform API, as the Sandbox Bank does after "approve unlock". */
    const appAsks = async (psid: string) => {
      const res = await hub.app.inject({
        method: 'POST',
        url: `/v25.0/${bank.page_id}/approval_requests?access_token=${bank.page_access_token}`,
        payload: { recipient: { id: psid }, kind: 'card_unlock', summary: 'Unlock card •••• 4821' },
      });
      expect(res.statusCode).toBe(200);
      return res.json().id as string;
    };

    it('an app’s request names the app; the supervisor whose hand-back prompted it may not decide it', async () => {
      const sam = await agent(bank, 'sam', 'supervisor');
      await agent(bank, 'vera', 'supervisor');
      const alice = await customerWith(bank, 'alice');
      await handOver(bank, alice.psid);
      const samCookie = await logIn('sam');
      expect(
        (await agentCall(samCookie, 'POST', `/inbox/api/conversations/${alice.conversationId}/take`)).statusCode,
      ).toBe(204);
      const resolved = await agentCall(samCookie, 'POST', `/inbox/api/conversations/${alice.conversationId}/resolve`, {
        note: 'approve unlock 4821',
      });
      expect(resolved.statusCode).toBe(204);
      clock.advance(5_000);
      const id = await appAsks(alice.psid);
      const veraCookie = await logIn('vera');
      const seen = (cookie: string) =>
        agentCall(cookie, 'GET', '/inbox/api/approvals').then((r) => r.json().data as Array<Record<string, unknown>>);
      expect(await seen(veraCookie)).toEqual([
        expect.objectContaining({
          id,
          requested_by: null,
          requested_by_app: { id: bank.app_id, display_name: 'Inbox Bank' },
          prompted_by: { id: sam.id, display_name: 'Sam' },
          can_decide: true,
        }),
      ]);
      expect((await seen(samCookie))[0]?.can_decide).toBe(false);
      const before = await rows('inbox_approvals');
      const refused = await agentCall(samCookie, 'POST', `/inbox/api/approvals/${id}/decision`, {
        decision: 'approve',
        note: 'ok',
      });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error).toMatchObject({
        code: 'APPROVAL_OWN_REQUEST',
        message: expect.stringMatching(/hand-back/),
      });
      expect(await rows('inbox_approvals')).toEqual(before);
      const approved = await agentCall(veraCookie, 'POST', `/inbox/api/approvals/${id}/decision`, {
        decision: 'approve',
        note: 'Checked the fraud case',
      });
      expect(approved.statusCode).toBe(204);
      await hub.services.privacy.flush();
      const audit = await hub.ctx.storage.db
        .selectFrom('audit_log')
        .select(['actor', 'details'])
        .where('action', '=', 'inbox.approval_requested')
        .execute();
      expect(audit.map((r) => [r.actor, JSON.parse(r.details).prompted_by])).toEqual([
        [`app:${bank.app_id}`, `agent:${sam.id}`],
      ]);
    });

    it('an app’s request with no agent involved, or long after the hand-back, is any supervisor’s to decide', async () => {
      await agent(bank, 'sam', 'supervisor');
      const alice = await customerWith(bank, 'alice');
      const bob = await customerWith(bank, 'bob');
      await handOver(bank, bob.psid);
      const samCookie = await logIn('sam');
      await agentCall(samCookie, 'POST', `/inbox/api/conversations/${bob.conversationId}/take`);
      await agentCall(samCookie, 'POST', `/inbox/api/conversations/${bob.conversationId}/resolve`, {});
      clock.advance(61 * 60_000);
      const forAlice = await appAsks(alice.psid);
      const forBob = await appAsks(bob.psid);
      const listed = (await agentCall(samCookie, 'GET', '/inbox/api/approvals')).json().data as Array<{
        id: string;
        prompted_by: unknown;
        can_decide: boolean;
      }>;
      expect(listed.map((a) => [a.id, a.prompted_by, a.can_decide]).sort()).toEqual(
        [
          [forAlice, null, true],
          [forBob, null, true],
        ].sort(),
      );
      const res = await agentCall(samCookie, 'POST', `/inbox/api/approvals/${forBob}/decision`, {
        decision: 'reject',
        note: 'Not without a call',
      });
      expect(res.statusCode).toBe(204);
    });

    it('a note on a conversation of another page is answered as not found and not written', async () => {
      await agent(otherBank, 'olga', 'supervisor');
      const alice = await customerWith(bank, 'alice');
      await handOver(bank, alice.psid);
      const olga = await logIn('olga');
      const res = await agentCall(olga, 'POST', `/inbox/api/conversations/${alice.conversationId}/notes`, {
        text: 'peeking',
      });
      expect(res.statusCode).toBe(404);
      expect(await hub.ctx.storage.db.selectFrom('inbox_notes').selectAll().execute()).toEqual([]);
    });
  });
}

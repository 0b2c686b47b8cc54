/**
 * Contract of `POST /{page-id}/approval_requests` (page token, a Confide extension): the app
 * asks a supervisor of the page's inbox to approve an action in a customer's conversation and
 * gets `{id}`; invalid parameters, an unknown PSID, another page's id or token are refused with
 * the Graph error envelope and nothing is written. The decision reaches only the asking app,
 * as an `approvals` webhook event. Runs on both dialects.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, createPage, DIALECTS, testClock, type TestHub } from '../helpers.js';
import { buildGraphFixture, type GraphFixture } from './graph-fixtures.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: POST /{page-id}/approval_requests`, () => {
    let hub: TestHub;
    let fx: GraphFixture;

    beforeEach(async () => {
      hub = await buildTestHub({ dialect, clock: testClock() });
      const page = await createPage(hub, { webhookUrl: 'http://127.0.0.1:9/hook', verifyToken: 'v' });
      fx = await buildGraphFixture(hub, { page });
      // The app subscribes to `approvals` (the callback handshake is covered by the subscriptions suite).
      await hub.ctx.storage.writes.run((tx) =>
        tx.db
          .updateTable('apps')
          .set({ subscribed_fields: JSON.stringify(['messages', 'approvals']) })
          .where('id', '=', page.app_id)
          .execute(),
      );
    });
    afterEach(async () => {
      await hub.dispose();
    });

    const ask = (payload: object, pageId = fx.page.page_id, token = fx.page.page_access_token) =>
      hub.app.inject({ method: 'POST', url: `/v25.0/${pageId}/approval_requests?access_token=${token}`, payload });
    const count = async () =>
      Number(
        (
          await hub.ctx.storage.db
            .selectFrom('inbox_approvals')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const valid = () => ({
      recipient: { id: fx.psid },
      kind: 'card_unlock',
      summary: 'Unlock card •••• 4821',
      details: { card_id: 'card_1', card_last4: '4821' },
    });

    it('answers {id}; a supervisor approves and the asking app gets the decision', async () => {
      const res = await ask(valid());
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ id: expect.stringMatching(/^apr_/) });
      // Form-encoded with JSON-valued fields, as Graph allows, on /me too.
      const form = await hub.app.inject({
        method: 'POST',
        url: `/me/approval_requests?access_token=${fx.page.page_access_token}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `recipient=${encodeURIComponent(JSON.stringify({ id: fx.psid }))}&kind=limit_raise&summary=Raise%20limit`,
      });
      expect(form.json()).toEqual({ id: expect.stringMatching(/^apr_/) });
      await hub.services.agents.create({
        pageId: fx.page.page_id,
        username: 'sam',
        password: 'agent password 1',
        role: 'supervisor',
      });
      const login = await hub.app.inject({
        method: 'POST',
        url: '/inbox/api/login',
        payload: { username: 'sam', password: 'agent password 1' },
      });
      const cookie = `confide_agent=${login.cookies.find((c) => c.name === 'confide_agent')?.value}`;
      const decided = await hub.app.inject({
        method: 'POST',
        url: `/inbox/api/approvals/${res.json().id}/decision`,
        headers: { cookie },
        payload: { decision: 'reject', note: 'Not without a call' },
      });
      expect(decided.statusCode).toBe(204);
      const rows = await hub.ctx.storage.db
        .selectFrom('webhook_outbox')
        .selectAll()
        .where('field', '=', 'approvals')
        .execute();
      expect(rows.map((r) => r.app_id)).toEqual([fx.page.app_id]);
      const payload = await hub.ctx.storage.vault.openPayload(
        { purpose: 'deliver_to_business', actor: 'test' },
        fx.customer.id,
        rows[0]?.payload ?? '',
      );
      expect(payload).toMatchObject({
        sender: { id: fx.psid },
        approval: { id: res.json().id, status: 'rejected', requested_by: 'app', details: valid().details },
      });
    });

    it('refuses bad parameters, an unknown PSID and another page with the Graph envelope, writing nothing', async () => {
      const other = await createPage(hub);
      const cases: Array<[object, number, number | undefined, string?, string?]> = [
        [{ ...valid(), kind: 'teleport' }, 100, undefined],
        [{ ...valid(), summary: '' }, 100, undefined],
        [{ ...valid(), summary: 'x'.repeat(301) }, 100, undefined],
        [{ ...valid(), details: { 'Bad Key': 1 } }, 100, undefined],
        [{ ...valid(), details: { nested: { a: 1 } } }, 100, undefined],
        [{ ...valid(), recipient: { id: '999999' } }, 100, 2018001],
        [{ ...valid(), extra: true }, 100, undefined],
        [valid(), 190, undefined, fx.page.page_id, 'not-a-token'],
        [valid(), 100, undefined, other.page_id],
      ];
      for (const [body, code, subcode, pageId, token] of cases) {
        const res = await ask(body, pageId ?? fx.page.page_id, token ?? fx.page.page_access_token);
        expect(res.statusCode, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
        const error = res.json().error;
        expect(error, res.body).toMatchObject({ code, type: expect.any(String), fbtrace_id: expect.any(String) });
        if (subcode !== undefined) expect(error.error_subcode).toBe(subcode);
      }
      expect(await count()).toBe(0);
    });
  });
}

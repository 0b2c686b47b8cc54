/**
 * Handover between two apps of one page (Primary and Secondary Receiver): control moves,
 * sends follow the owner, and each `messaging_handovers` event reaches only the app concerned.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, DIALECTS, type TestHub } from '../../../test/helpers.js';
import { buildGraphFixture, textSend, type GraphFixture } from '../../../test/contract/graph-fixtures.js';
import { randomDigits, sha256Hex } from '../../crypto/tokens.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: handover between a page's apps`, () => {
    let hub: TestHub;
    let fx: GraphFixture;
    let secondary: { appId: string; token: string };

    beforeEach(async () => {
      hub = await buildTestHub({ dialect });
      fx = await buildGraphFixture(hub);
      const appId = randomDigits(15);
      const token = `EAAC${randomDigits(40)}`;
      await hub.ctx.storage.writes.run(async ({ db }) => {
        await db
          .updateTable('apps')
          .set({ webhook_url: 'https://primary.example/hook' })
          .where('id', '=', fx.page.app_id)
          .execute();
        await db
          .insertInto('apps')
          .values({
            id: appId,
            page_id: fx.page.page_id,
            secret_enc: hub.ctx.secrets.seal('secondary-secret', `app-secret:${appId}`),
            webhook_url: 'https://secondary.example/hook',
            verify_token_enc: null,
            subscribed_fields: JSON.stringify(['messages', 'messaging_handovers', 'standby']),
            webhook_status: 'active',
            created_at: hub.ctx.now() + 1,
          })
          .execute();
        await db
          .insertInto('page_tokens')
          .values({
            id: 'tok_second',
            page_id: fx.page.page_id,
            app_id: appId,
            token_hash: sha256Hex(token),
            created_at: hub.ctx.now(),
            revoked_at: null,
          })
          .execute();
      });
      secondary = { appId, token };
    });
    afterEach(async () => {
      await hub.dispose();
    });

    const call = (token: string, path: string, payload: object) =>
      hub.app.inject({ method: 'POST', url: `${path}?access_token=${token}`, payload });
    const handoverEvents = async () =>
      Promise.all(
        (
          await hub.ctx.storage.db
            .selectFrom('webhook_outbox')
            .select(['app_id', 'payload'])
            .where('field', '=', 'messaging_handovers')
            .orderBy('id')
            .execute()
        ).map(async (r) => ({
          app: r.app_id,
          item: (await hub.ctx.storage.vault.openPayload(
            { purpose: 'deliver_to_business', actor: 'test' },
            fx.customer.id,
            r.payload,
          )) as Record<string, unknown>,
        })),
      );

    it('moves control primary → secondary → primary; sends follow the owner; events reach the app concerned', async () => {
      const primary = fx.page.page_access_token;
      expect((await call(secondary.token, '/me/messages', textSend(fx.psid))).json().error.code).toBe(2018300);
      expect(
        (
          await call(primary, '/me/pass_thread_control', {
            recipient: { id: fx.psid },
            target_app_id: secondary.appId,
            metadata: 'yours',
          })
        ).json(),
      ).toEqual({ success: true });
      expect((await call(secondary.token, '/me/messages', textSend(fx.psid))).statusCode).toBe(200);
      expect((await call(primary, '/me/messages', textSend(fx.psid))).json().error.code).toBe(2018300);
      // While the secondary owns the thread, the primary hears the customer on standby.
      await hub.app.inject({
        method: 'POST',
        url: `/api/conversations/${fx.conversationId}/messages`,
        headers: { cookie: fx.customer.cookie },
        payload: { text: 'still there?' },
      });
      const standby = await hub.ctx.storage.db
        .selectFrom('webhook_outbox')
        .select(['app_id', 'field'])
        .where('field', 'in', ['messages', 'standby'])
        .orderBy('id', 'desc')
        .limit(2)
        .execute();
      expect(standby.map((r) => `${r.app_id}:${r.field}`).sort()).toEqual(
        [`${fx.page.app_id}:standby`, `${secondary.appId}:messages`].sort(),
      );

      expect(
        (await call(primary, '/me/request_thread_control', { recipient: { id: fx.psid }, metadata: 'please' })).json(),
      ).toEqual({ success: true });
      expect(
        (await call(secondary.token, '/me/take_thread_control', { recipient: { id: fx.psid } })).json().error.code,
      ).toBe(2018171);
      expect(
        (await call(secondary.token, '/me/release_thread_control', { recipient: { id: fx.psid } })).json(),
      ).toEqual({ success: true });
      expect((await call(primary, '/me/messages', textSend(fx.psid))).statusCode).toBe(200);

      const events = await handoverEvents();
      expect(
        events.map((e) => ({ app: e.app, kind: Object.keys(e.item).find((k) => k.endsWith('thread_control')) })),
      ).toEqual([
        { app: secondary.appId, kind: 'pass_thread_control' },
        { app: secondary.appId, kind: 'request_thread_control' },
        { app: fx.page.app_id, kind: 'pass_thread_control' },
      ]);
      expect(events[0]!.item['pass_thread_control']).toEqual({
        previous_owner_app_id: fx.page.app_id,
        new_owner_app_id: secondary.appId,
        metadata: 'yours',
      });
      expect(events[1]!.item['request_thread_control']).toEqual({
        requested_owner_app_id: fx.page.app_id,
        metadata: 'please',
      });
    });

    it('the primary takes control from the secondary, which receives take_thread_control', async () => {
      const primary = fx.page.page_access_token;
      await call(primary, '/me/pass_thread_control', { recipient: { id: fx.psid }, target_app_id: secondary.appId });
      expect(
        (await call(primary, '/me/take_thread_control', { recipient: { id: fx.psid }, metadata: 'mine' })).json(),
      ).toEqual({ success: true });
      const last = (await handoverEvents()).at(-1)!;
      expect(last).toEqual({
        app: secondary.appId,
        item: expect.objectContaining({
          take_thread_control: {
            previous_owner_app_id: secondary.appId,
            new_owner_app_id: fx.page.app_id,
            metadata: 'mine',
          },
        }),
      });
      expect(
        (await call(secondary.token, '/me/release_thread_control', { recipient: { id: fx.psid } })).json().error.code,
      ).toBe(2018300);
      const receivers = await hub.app.inject({ method: 'GET', url: `/me/secondary_receivers?access_token=${primary}` });
      expect(receivers.json().data.map((r: { id: string }) => r.id)).toEqual([secondary.appId, '263902037430900']);
    });
  });
}

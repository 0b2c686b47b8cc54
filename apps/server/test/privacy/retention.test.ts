/** Retention per content kind: old messages and old delivered webhook payloads are swept; the rest stays. */
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestHub, DIALECTS, testClock, type TestHub } from '../helpers.js';
import { customerSays, scene, type Scene } from './fixtures.js';

const DAY = 86_400_000;
// Sessions expire over these spans: read through the use case instead of the cookie.
const texts = async (hub: TestHub, s: Scene) =>
  JSON.stringify(
    (await hub.services.conversations.messages(s.customer.id, s.conversationId, undefined, 50)).data.map((m) => m.body),
  );

for (const dialect of DIALECTS) {
  describe(`${dialect}: retention`, () => {
    let hub: TestHub;
    afterEach(async () => {
      await hub.dispose();
    });

    it('deletes messages past RETENTION_MESSAGE_DAYS and delivered webhooks past RETENTION_WEBHOOK_DAYS', async () => {
      const clock = testClock();
      hub = await buildTestHub({
        dialect,
        clock,
        env: { SERVICES: 'api,realtime', RETENTION_MESSAGE_DAYS: '30', RETENTION_WEBHOOK_DAYS: '7' },
      });
      const s = await scene(hub);
      await customerSays(hub, s, 'old message');
      await hub.ctx.storage.db.updateTable('webhook_outbox').set({ delivered_at: clock.now() }).execute();
      clock.advance(10 * DAY);
      await customerSays(hub, s, 'newer message');
      expect(await hub.services.privacy.sweepRetention()).toEqual({ messages: 0, webhooks: 1, attachments: 0 });
      // The pending webhook of the newer message is never swept.
      expect(await hub.ctx.storage.db.selectFrom('webhook_outbox').select('id').execute()).toHaveLength(1);
      clock.advance(21 * DAY);
      expect(await hub.services.privacy.sweepRetention()).toEqual({ messages: 1, webhooks: 0, attachments: 0 });
      const view = await texts(hub, s);
      expect(view).not.toContain('old message');
      expect(view).toContain('newer message');
    });

    it('keeps everything when retention is 0 (the default)', async () => {
      const clock = testClock();
      hub = await buildTestHub({ dialect, clock, env: { SERVICES: 'api,realtime' } });
      const s = await scene(hub);
      await customerSays(hub, s, 'kept forever');
      clock.advance(3650 * DAY);
      expect(await hub.services.privacy.sweepRetention()).toEqual({ messages: 0, webhooks: 0, attachments: 0 });
      expect(await texts(hub, s)).toContain('kept forever');
    });
  });
}

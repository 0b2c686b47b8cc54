/**
 * Issue 13 #10: a send racing an account deletion must not re-create a data key or salt
 * for the erased customer. The race is made deterministic: the erasure is held between
 * destroying the keys and deleting the rows, and the business sends in that gap.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildTestHub, DIALECTS, testClock, type TestHub } from '../helpers.js';
import { customerSays, scene } from './fixtures.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: erasure racing a send`, () => {
    let hub: TestHub;
    beforeEach(async () => {
      hub = await buildTestHub({ dialect, clock: testClock(), env: { SERVICES: 'api,realtime' } });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    it('refuses to create keys for a customer whose keys were destroyed; the send answers no matching user', async () => {
      const s = await scene(hub);
      await customerSays(hub, s, 'open the window');
      const vault = hub.ctx.storage.vault;
      const keystore = vault.keystore;
      expect(await keystore.get(`customer:${s.customer.id}`)).toBeDefined();

      let keysGone!: () => void;
      const keysGonePromise = new Promise<void>((resolve) => (keysGone = resolve));
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const erase = vault.eraseCustomer.bind(vault);
      vi.spyOn(vault, 'eraseCustomer').mockImplementationOnce(async (customerId) => {
        const n = await erase(customerId);
        keysGone();
        await released;
        return n;
      });
      const deletion = hub.services.privacy.deleteCustomerByUsername(s.customer.username);
      await keysGonePromise;
      // The keys are destroyed; the customer's rows are still there: a send finds its recipient.
      const inserts = vi.spyOn(keystore, 'insertIfAbsent');
      const send = await hub.app.inject({
        method: 'POST',
        url: `/v19.0/me/messages?access_token=${s.page.page_access_token}`,
        payload: { recipient: { id: s.psid }, messaging_type: 'RESPONSE', message: { text: 'your balance' } },
      });
      release();
      await deletion;

      expect(inserts).toHaveBeenCalled();
      expect(send.statusCode, send.body).toBe(400);
      expect(send.json().error).toMatchObject({ code: 100, error_subcode: 2018001 });
      expect(await keystore.get(`customer:${s.customer.id}`)).toBeUndefined();
      expect(await keystore.get(`conversation:${s.conversationId}`)).toBeUndefined();
      // And later: still refused.
      await expect(vault.warmKeys(s.customer.id, s.conversationId)).rejects.toThrow(/erased/);
      expect(await keystore.get(`customer:${s.customer.id}`)).toBeUndefined();
    });
  });
}

/**
 * Sends to many new customers at once (a fan-out's first contacts) warm their keys together
 * (warm-keys.ts, privacy/vault/key-warming.ts): the keystore is read in a few statements for
 * all of them rather than twice per customer, and every message is sealed under keys the
 * keystore holds. Both dialects.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildGraphFixture } from '../../../test/contract/graph-fixtures.js';
import { buildTestHub, createPage, DIALECTS, type TestHub } from '../../../test/helpers.js';
import { Vault } from '../../privacy/vault.js';

describe.each(DIALECTS)('%s: first contacts warmed together', (dialect) => {
  let hub: TestHub | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await hub?.dispose();
    hub = undefined;
  });

  it('reads the keys of concurrent first contacts in one statement per batch, not one per key', async () => {
    hub = await buildTestHub({ dialect, env: { SEND_RATE_LIMIT_PER_PAGE: '1000' } });
    const h = hub;
    const page = await createPage(h);
    const fixtures = [];
    for (let i = 0; i < 20; i++) fixtures.push(await buildGraphFixture(h, { silent: true, page }));
    // Customers who never wrote nor were written to (no keys yet), within the 24-hour window.
    await h.ctx.storage.db
      .updateTable('conversations')
      .set({ last_customer_message_at: Date.now() })
      .where('page_id', '=', page.page_id)
      .execute();
    const vault = h.ctx.storage.vault;
    expect((await vault.keystore.getMany(fixtures.map((fx) => `customer:${fx.customer.id}`))).size).toBe(0);
    const gets = vi.spyOn(vault.keystore, 'get');
    const getMany = vi.spyOn(vault.keystore, 'getMany');
    const url = `/v25.0/me/messages?access_token=${page.page_access_token}`;
    const answers = await Promise.all(
      fixtures.map((fx, i) =>
        h.app.inject({
          method: 'POST',
          url,
          payload: { recipient: { id: fx.psid }, messaging_type: 'UPDATE', message: { text: `statement ${i}` } },
        }),
      ),
    );
    expect(
      answers.map((a) => a.statusCode),
      answers[0]?.body,
    ).toEqual(fixtures.map(() => 200));
    // Twenty customers' data keys and salts: no read of one key at a time, a few reads of many
    // (sends that arrive in the same turn of the event loop share one; one per customer without batching).
    expect(gets).not.toHaveBeenCalled();
    expect(getMany.mock.calls.length).toBeLessThan(fixtures.length);
    const scopes = getMany.mock.calls.flatMap(([s]) => s);
    expect(new Set(scopes).size).toBe(scopes.length);
    // Every conversation's salt is stored, and each message opens with the stored keys.
    const stored = await vault.keystore.getMany(fixtures.map((fx) => `conversation:${fx.conversationId}`));
    expect(stored.size).toBe(fixtures.length);
    const fresh = new Vault({ keystore: vault.keystore, kek: h.ctx.config.kek });
    for (const fx of fixtures.slice(0, 3)) {
      const row = await h.ctx.storage.db
        .selectFrom('messages')
        .select('body')
        .where('conversation_id', '=', fx.conversationId)
        .where('direction', '=', 'out')
        .executeTakeFirstOrThrow();
      const access = { purpose: 'deliver_to_customer', actor: `customer:${fx.customer.id}` } as const;
      await expect(fresh.openMessage(access, fx.customer.id, row.body)).resolves.toMatchObject({
        text: expect.stringMatching(/^statement /),
      });
    }
  });
});

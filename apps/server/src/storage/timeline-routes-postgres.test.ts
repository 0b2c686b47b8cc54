/**
 * The routes read ahead on PostgreSQL (timeline-routes-postgres.ts): a webhook event no app gets
 * is not sealed, and one that an app subscribed since the read gets is still routed by the
 * statement, whose batch then fails and is written again sealed. The pages' apps read serve
 * later transactions for `APPS_KEPT_MS`, behind the same guard; a failed batch forgets them, so
 * the transactions after it read afresh.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { A, B, seedTwoConversations } from '../../test/timeline-kit.js';
import { buildTestHub, DIALECTS, type TestHub } from '../../test/helpers.js';
import type { Bus } from '../bus/bus.js';
import { appendToTimeline, type TimelineConversation } from '../timeline/index.js';
import { answerOf } from './deferred.js';
import { APPS_KEPT_MS, readApps } from './timeline-routes-postgres.js';

const bus = { publish: () => undefined, subscribe: () => () => undefined, close: async () => undefined } as Bus;

/**
 * A customer's message in a set-based transaction that reads the page's apps first (as the
 * read-ahead does); app1 subscribes to echoes only, so the routes give it no app. `meanwhile`
 * runs inside the transaction after the append, before the batch is written.
 */
const sendReadingRoutes = (
  h: TestHub,
  c: TimelineConversation,
  text: string,
  now: number,
  meanwhile?: () => Promise<unknown>,
) =>
  h.ctx.storage.writes.run(
    async (tx) => {
      await (
        await tx.batch?.readRoutes(tx.db, ['p1'])
      )?.answered;
      await appendToTimeline(tx, bus, [{ kind: 'message', conversation: c, direction: 'in', body: { text }, now }]);
      await meanwhile?.();
    },
    { setBased: true },
  );

/** The webhook outbox in insertion order. */
const outboxRows = (h: TestHub) =>
  h.ctx.storage.db.selectFrom('webhook_outbox').select(['app_id', 'field', 'conversation_id']).orderBy('id').execute();

const subscribeToMessages = (h: TestHub) =>
  h.ctx.storage.db
    .updateTable('apps')
    .set({ subscribed_fields: JSON.stringify(['message_echoes', 'messages']) })
    .where('id', '=', 'app1')
    .execute();

describe.runIf(DIALECTS.includes('postgres'))('postgres: the routes read ahead', () => {
  let hub: TestHub | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await hub?.dispose();
    hub = undefined;
  });

  it('keep the pages’ apps for the next transaction; an app subscribed since gets its event sealed on a second run, and a failed batch forgets them', async () => {
    hub = await buildTestHub({ dialect: 'postgres' });
    const h = hub;
    await seedTwoConversations(h);
    const sealed = vi.spyOn(h.ctx.storage.vault, 'sealPayload');
    const writes = h.ctx.storage.writes;
    const send = (c: TimelineConversation, text: string, now: number) => sendReadingRoutes(h, c, text, now);
    await send(A, 'a1', 10);
    expect(sealed).not.toHaveBeenCalled();
    await subscribeToMessages(h);
    // The apps kept from the first transaction give the event no app: unsealed, the statement
    // routes it to app1 all the same and fails; the second run seals it.
    await send(B, 'b1', 11);
    expect(writes.stats.reruns).toBe(1);
    expect(sealed).toHaveBeenCalledTimes(1);
    // Forgotten after the failure: read afresh, sealed at the first run.
    await send(A, 'a2', 12);
    expect(writes.stats.reruns).toBe(1);
    expect(sealed).toHaveBeenCalledTimes(2);
    expect(await outboxRows(h)).toEqual([
      { app_id: 'app1', field: 'messages', conversation_id: 'cB' },
      { app_id: 'app1', field: 'messages', conversation_id: 'cA' },
    ]);
  });

  it(`read the pages’ apps again once ${APPS_KEPT_MS} ms old`, async () => {
    hub = await buildTestHub({ dialect: 'postgres' });
    const h = hub;
    await seedTwoConversations(h);
    const db = h.ctx.storage.db;
    let now = 1_000_000;
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    const fields = async () =>
      (await answerOf(await readApps(db, ['p1']))).rows.map((row) => JSON.parse(row.subscribed_fields) as string[]);
    expect(await fields()).toEqual([['message_echoes']]);
    await subscribeToMessages(h);
    now += APPS_KEPT_MS - 1;
    expect(await fields()).toEqual([['message_echoes']]);
    now += 1;
    expect(await fields()).toEqual([['message_echoes', 'messages']]);
  });

  it('leave a webhook event no app gets unsealed; one that an app subscribed since gets in the statement is written again, sealed', async () => {
    hub = await buildTestHub({ dialect: 'postgres' });
    const h = hub;
    await seedTwoConversations(h);
    const sealed = vi.spyOn(h.ctx.storage.vault, 'sealPayload');
    // Another transaction subscribes app1 to messages after the first one read the routes.
    let subscribed = false;
    const subscribeOnce = async () => {
      if (subscribed) return;
      subscribed = true;
      await subscribeToMessages(h);
    };
    await Promise.all([
      sendReadingRoutes(h, A, 'a1', 10, subscribeOnce),
      sendReadingRoutes(h, B, 'b1', 11, subscribeOnce),
    ]);
    // Unsealed in the first run, whose statement failed on them; sealed in the second.
    expect(h.ctx.storage.writes.stats.reruns).toBe(1);
    expect(sealed).toHaveBeenCalledTimes(2);
    expect(await outboxRows(h)).toEqual([
      { app_id: 'app1', field: 'messages', conversation_id: 'cA' },
      { app_id: 'app1', field: 'messages', conversation_id: 'cB' },
    ]);
  });
});

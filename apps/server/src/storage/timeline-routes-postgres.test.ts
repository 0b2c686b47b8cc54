/**
 * The pages' apps kept across transactions on PostgreSQL (timeline-routes-postgres.ts): a read
 * serves later transactions for `APPS_KEPT_MS`; an app subscribed meanwhile still gets its
 * events, through the statement's own routing and the batch written again sealed; a failed
 * batch forgets what was kept, so the transactions after it read afresh.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { A, B, seedTwoConversations } from '../../test/timeline-kit.js';
import { buildTestHub, DIALECTS, type TestHub } from '../../test/helpers.js';
import type { Bus } from '../bus/bus.js';
import { appendToTimeline, type TimelineConversation } from '../timeline/index.js';
import { answerOf } from './deferred.js';
import { APPS_KEPT_MS, readApps } from './timeline-routes-postgres.js';

const bus = { publish: () => undefined, subscribe: () => () => undefined, close: async () => undefined } as Bus;

const subscribeToMessages = (h: TestHub) =>
  h.ctx.storage.db
    .updateTable('apps')
    .set({ subscribed_fields: JSON.stringify(['message_echoes', 'messages']) })
    .where('id', '=', 'app1')
    .execute();

describe.runIf(DIALECTS.includes('postgres'))('postgres: the pages’ apps kept across transactions', () => {
  let hub: TestHub | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await hub?.dispose();
    hub = undefined;
  });

  it('serve the next transaction; an app subscribed since gets its event sealed on a second run, and a failed batch forgets them', async () => {
    hub = await buildTestHub({ dialect: 'postgres' });
    const h = hub;
    await seedTwoConversations(h);
    const sealed = vi.spyOn(h.ctx.storage.vault, 'sealPayload');
    const writes = h.ctx.storage.writes;
    // A customer's message, in a set-based transaction that reads the page's apps first (as the read-ahead does).
    const send = (c: TimelineConversation, text: string, now: number) =>
      writes.run(
        async (tx) => {
          await (
            await tx.batch?.readRoutes(tx.db, ['p1'])
          )?.answered;
          await appendToTimeline(tx, bus, [{ kind: 'message', conversation: c, direction: 'in', body: { text }, now }]);
        },
        { setBased: true },
      );
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
    const rows = await h.ctx.storage.db
      .selectFrom('webhook_outbox')
      .select(['app_id', 'field', 'conversation_id'])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { app_id: 'app1', field: 'messages', conversation_id: 'cB' },
      { app_id: 'app1', field: 'messages', conversation_id: 'cA' },
    ]);
  });

  it(`are read again once ${APPS_KEPT_MS} ms old`, async () => {
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
});

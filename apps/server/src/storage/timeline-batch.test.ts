/**
 * Set-based batches (write-queue.ts `setBased`, timeline-batch.ts): the timeline appends of a
 * group commit's set-based jobs are written together before COMMIT, on both dialects. A
 * failing job's appends never commit, cursors stay gapless per customer in job order (also
 * with a job that writes at once in between), and a batch that cannot be written as a whole
 * is run again append by append, so only the job to blame fails. Set-based batches contending
 * from several transactions on PostgreSQL: write-queue-postgres.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { A, B, seedTwoConversations } from '../../test/timeline-kit.js';
import { buildTestHub, DIALECTS, STORAGE_VARIANTS, type TestHub } from '../../test/helpers.js';
import type { Bus } from '../bus/bus.js';
import type { BusEvent } from '../bus/events.js';
import { appendFrame, appendToTimeline, type TimelineConversation } from '../timeline/index.js';
import { CommitOutcomeUnknownError } from './pipelined-commit.js';
import { timelineStoreOf } from './timeline-store.js';
import type { WriteTx } from './write-queue.js';

/** A bus that records what is published after commit, in order. */
function recordingBus(): { bus: Bus; events: BusEvent[] } {
  const events: BusEvent[] = [];
  const bus = {
    publish: (event: BusEvent) => void events.push(event),
    subscribe: () => () => undefined,
    close: async () => undefined,
  } as Bus;
  return { bus, events };
}

describe.each(STORAGE_VARIANTS)('$name: set-based timeline batches', ({ dialect, file }) => {
  let hub: TestHub | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await hub?.dispose();
    hub = undefined;
  });

  const message = (c: TimelineConversation, text: string, now: number) =>
    ({ kind: 'message', conversation: c, direction: 'out', body: { text }, now, appId: 'app1' }) as const;

  /** The customer's events, oldest first: the message text (by its row) or the frame's change. */
  async function eventsOf(h: TestHub, customerId: string): Promise<Array<[number, string]>> {
    const rows = await h.ctx.storage.db
      .selectFrom('customer_events as e')
      .leftJoin('messages as m', 'm.mid', 'e.ref')
      .select(['e.seq', 'e.type', 'e.data', 'm.body'])
      .where('e.customer_id', '=', customerId)
      .orderBy('e.seq')
      .execute();
    const actor = { purpose: 'deliver_to_customer' as const, actor: 'test' };
    return Promise.all(
      rows.map(async (r): Promise<[number, string]> => {
        if (r.type !== 'message') return [Number(r.seq), (JSON.parse(r.data) as { change: string }).change];
        const body = await h.ctx.storage.vault.openMessage(actor, customerId, r.body as string);
        return [Number(r.seq), (body as { text: string }).text];
      }),
    );
  }

  // Failing after writing at once makes the write queue (jobs without savepoints) roll back and run the others again.
  it.each([
    { failures: 'after appending only', writing: false },
    { failures: 'after appending, and after writing at once', writing: true },
  ])(
    'commits a mixed batch with jobs failing $failures: their appends are gone, cursors gapless in job order, effects in commit order',
    async ({ writing }) => {
      hub = await buildTestHub({ dialect, file });
      const h = hub;
      await seedTwoConversations(h);
      const store = timelineStoreOf(h.ctx.storage.db);
      const batchSizes: number[] = [];
      const appendBatch = store.appendBatch.bind(store);
      vi.spyOn(store, 'appendBatch').mockImplementation((db, batch, routes) => {
        batchSizes.push(batch.length);
        return appendBatch(db, batch, routes);
      });
      const { bus, events } = recordingBus();
      const writes = h.ctx.storage.writes;
      const setBased = (fn: (tx: WriteTx) => Promise<unknown>) => writes.run(fn, { setBased: true });
      const results = await Promise.allSettled([
        setBased((tx) => appendToTimeline(tx, bus, [message(A, 'a1', 10)])),
        setBased((tx) => appendToTimeline(tx, bus, [message(B, 'b1', 11)])),
        // Fails having appended only (nothing written yet).
        setBased(async (tx) => {
          await appendToTimeline(tx, bus, [message(A, 'lost-1', 12)]);
          throw new Error('refused after appending');
        }),
        // Fails having written at once as well as appended.
        setBased(async (tx) => {
          await appendToTimeline(tx, bus, [message(B, 'lost-2', 13)]);
          if (writing) await tx.db.updateTable('customers').set({ locale: 'xx' }).where('id', '=', 'u2').execute();
          throw new Error('refused');
        }),
        // Not set-based: the batch so far is written before it, so its cursor comes after a1.
        writes.run((tx) =>
          appendFrame(tx, bus, 'u1', { type: 'conversation', conversation_id: 'cA', change: 'f1' }, 14),
        ),
        setBased((tx) => appendToTimeline(tx, bus, [message(A, 'a2', 15)])),
        setBased((tx) => appendToTimeline(tx, bus, [message(B, 'b2', 16), message(A, 'a3', 17), message(B, 'b3', 18)])),
      ]);
      expect(results.map((r) => r.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'rejected',
        'rejected',
        'fulfilled',
        'fulfilled',
        'fulfilled',
      ]);
      expect(results[4]).toEqual({ status: 'fulfilled', value: 2 });
      // Written as sets without falling back (jobs without savepoints run again after a job that failed after writing).
      expect(writes.stats.reruns).toBe(writing ? 1 : 0);
      // One group commit, its set-based appends written in sets: a1 and b1 before the frame, the rest before COMMIT.
      expect(batchSizes.at(-1)).toBe(4);
      expect(batchSizes).toContain(2);

      expect(await eventsOf(h, 'u1')).toEqual([
        [1, 'a1'],
        [2, 'f1'],
        [3, 'a2'],
        [4, 'a3'],
      ]);
      expect(await eventsOf(h, 'u2')).toEqual([
        [1, 'b1'],
        [2, 'b2'],
        [3, 'b3'],
      ]);
      const db = h.ctx.storage.db;
      const counters = await db.selectFrom('customers').select(['id', 'event_seq', 'locale']).orderBy('id').execute();
      expect(counters.map((c) => [c.id, Number(c.event_seq), c.locale])).toEqual([
        ['u1', 4, null],
        ['u2', 3, null],
      ]);
      const messages = await db
        .selectFrom('messages')
        .select(['conversation_id', 'created_at'])
        .orderBy('id')
        .execute();
      expect(messages.map((m) => [m.conversation_id, Number(m.created_at)])).toEqual([
        ['cA', 10],
        ['cB', 11],
        ['cA', 15],
        ['cB', 16],
        ['cA', 17],
        ['cB', 18],
      ]);
      const conversations = await db
        .selectFrom('conversations')
        .select(['id', 'last_message_at'])
        .orderBy('id')
        .execute();
      expect(conversations.map((c) => [c.id, Number(c.last_message_at)])).toEqual([
        ['cA', 17],
        ['cB', 18],
      ]);
      const outbox = await db
        .selectFrom('webhook_outbox')
        .select(['app_id', 'conversation_id', 'field', 'created_at'])
        .orderBy('id')
        .execute();
      expect(outbox.map((o) => [o.app_id, o.conversation_id, o.field, Number(o.created_at)])).toEqual(
        messages.map((m) => ['app1', m.conversation_id, 'message_echoes', Number(m.created_at)]),
      );

      // After commit, in job order: each committed frame with its cursor, and the delivery worker's wake-up.
      const frames = events.flatMap((e) =>
        e.name === 'customer.frame' ? [[e.customerId, (e.frame as { cursor: number }).cursor]] : [],
      );
      expect(frames).toEqual([
        ['u1', 1],
        ['u2', 1],
        ['u1', 2],
        ['u1', 3],
        ['u2', 2],
        ['u1', 4],
        ['u2', 3],
      ]);
      expect(events.filter((e) => e.name === 'webhook.enqueued')).toHaveLength(6);
    },
  );

  // The batch keeps the pages' apps for routing (timeline-batch.ts `routes`): a job that is not
  // set-based (here: subscribing an app) empties it, so the sends after it reach that app too —
  // also when the batch had nothing to write before that job (its one send was refused).
  it.each([
    { before: 'a send', refusedBefore: false },
    { before: 'a refused send only', refusedBefore: true },
  ])(
    'routes the sends after a job that subscribed an app in the same transaction to that app ($before before it)',
    async ({ refusedBefore }) => {
      hub = await buildTestHub({ dialect });
      const h = hub;
      await seedTwoConversations(h);
      const db = h.ctx.storage.db;
      await db
        .insertInto('apps')
        .values({
          id: 'app2',
          page_id: 'p1',
          secret_enc: 'x',
          webhook_url: 'https://example.test/hook2',
          subscribed_fields: JSON.stringify([]),
          webhook_status: 'active',
          created_at: 1,
        })
        .execute();
      const { bus } = recordingBus();
      const writes = h.ctx.storage.writes;
      const send = (text: string, now: number, refuse = false) =>
        writes.run(
          async (tx) => {
            const appended = await appendToTimeline(tx, bus, [message(A, text, now)]);
            if (refuse) throw new Error('refused after routing');
            return appended;
          },
          { setBased: true },
        );
      const batchesBefore = writes.stats.batches;
      const results = await Promise.allSettled([
        send('before', 10, refusedBefore),
        writes.run((tx) =>
          tx.db
            .updateTable('apps')
            .set({ subscribed_fields: JSON.stringify(['message_echoes']) })
            .where('id', '=', 'app2')
            .execute(),
        ),
        send('after-1', 11),
        send('after-2', 12),
      ]);
      expect(results.map((r) => r.status)).toEqual([
        refusedBefore ? 'rejected' : 'fulfilled',
        ...Array(3).fill('fulfilled'),
      ]);
      // One transaction (else the test would prove nothing).
      expect(writes.stats.batches - batchesBefore).toBe(1);
      const outbox = await db.selectFrom('webhook_outbox').select(['app_id', 'created_at']).orderBy('id').execute();
      const routed = outbox
        .map((o) => [Number(o.created_at), o.app_id])
        .sort((x, y) => String(x).localeCompare(String(y)));
      expect(routed).toEqual([
        ...(refusedBefore ? [] : [[10, 'app1']]),
        [11, 'app1'],
        [11, 'app2'],
        [12, 'app1'],
        [12, 'app2'],
      ]);
    },
  );

  /** A seeded hub whose set-based writes can include one that fails the batch as a whole. */
  async function withGhost() {
    hub = await buildTestHub({ dialect, file });
    const h = hub;
    await seedTwoConversations(h);
    const { bus, events } = recordingBus();
    const writes = h.ctx.storage.writes;
    const setBased = (fn: (tx: WriteTx) => Promise<unknown>) => writes.run(fn, { setBased: true });
    const ghostFrame = { type: 'conversation', conversation_id: 'cX', change: 'ghost' } as const;
    // A customer without a counter row: the batch's counter update cannot cover it.
    const ghost = () =>
      setBased((tx) => appendToTimeline(tx, bus, [{ kind: 'frame', customerId: 'ghost', frame: ghostFrame, now: 11 }]));
    return { h, bus, events, writes, setBased, ghost };
  }

  it('runs a batch that cannot be written as a whole again, append by append: only the job to blame fails', async () => {
    const { h, bus, events, writes, setBased, ghost: ghostAppend } = await withGhost();
    const results = await Promise.allSettled([
      setBased((tx) => appendToTimeline(tx, bus, [message(A, 'a1', 10)])),
      ghostAppend(),
      setBased((tx) => appendToTimeline(tx, bus, [message(A, 'a2', 12), message(B, 'b1', 13)])),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(writes.stats.reruns).toBeGreaterThan(0);
    expect(await eventsOf(h, 'u1')).toEqual([
      [1, 'a1'],
      [2, 'a2'],
    ]);
    expect(await eventsOf(h, 'u2')).toEqual([[1, 'b1']]);
    const ghost = await h.ctx.storage.db
      .selectFrom('customer_events')
      .select('seq')
      .where('customer_id', '=', 'ghost')
      .execute();
    expect(ghost).toEqual([]);
    const frames = events.flatMap((e) =>
      e.name === 'customer.frame' ? [[e.customerId, (e.frame as { cursor: number }).cursor]] : [],
    );
    expect(frames).toEqual([
      ['u1', 1],
      ['u1', 2],
      ['u2', 1],
    ]);
  });

  it('fails its jobs without running them again when the COMMIT pipelined behind the batch has an unknown outcome', async () => {
    hub = await buildTestHub({ dialect, file });
    const h = hub;
    await seedTwoConversations(h);
    const store = timelineStoreOf(h.ctx.storage.db);
    const lost = new CommitOutcomeUnknownError(new Error('no answer'), new Error('Query read timeout'));
    vi.spyOn(store, 'appendBatch').mockRejectedValueOnce(lost);
    const { bus, events } = recordingBus();
    const writes = h.ctx.storage.writes;
    let runs = 0;
    const results = await Promise.allSettled(
      ['m1', 'm2'].map((text, i) =>
        writes.run(
          async (tx) => {
            runs += 1;
            await appendToTimeline(tx, bus, [message(i === 0 ? A : B, text, 10 + i)]);
          },
          { setBased: true },
        ),
      ),
    );
    // A second run could write the messages twice, should the first have committed.
    expect(results).toEqual([
      { status: 'rejected', reason: lost },
      { status: 'rejected', reason: lost },
    ]);
    expect(runs).toBe(2);
    expect(writes.stats.reruns).toBe(0);
    expect(events).toEqual([]);
  });

  // On the SQLite writer thread the batch written before a job that is not set-based is sent
  // with that job's first statement (storage/deferred.ts), which then fails with the batch's
  // error: the batch is to blame, not the job.
  it('blames a batch that fails before a job that is not set-based, not that job', async () => {
    const { h, bus, writes, setBased, ghost } = await withGhost();
    const results = await Promise.allSettled([
      setBased((tx) => appendToTimeline(tx, bus, [message(A, 'a1', 10)])),
      ghost(),
      writes.run((tx) => appendFrame(tx, bus, 'u2', { type: 'conversation', conversation_id: 'cB', change: 'f1' }, 12)),
      setBased((tx) => appendToTimeline(tx, bus, [message(B, 'b1', 13)])),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(writes.stats.reruns).toBeGreaterThan(0);
    expect(await eventsOf(h, 'u1')).toEqual([[1, 'a1']]);
    expect(await eventsOf(h, 'u2')).toEqual([
      [1, 'f1'],
      [2, 'b1'],
    ]);
  });
});

describe.each(DIALECTS)('%s: whether a webhook event may be delivered', (dialect) => {
  let hub: TestHub | undefined;
  afterEach(async () => {
    await hub?.dispose();
    hub = undefined;
  });

  it('answers from the routes a batch holds without a promise, and reads the apps of a page it lacks', async () => {
    hub = await buildTestHub({ dialect });
    await seedTwoConversations(hub);
    const db = hub.ctx.storage.db;
    const store = timelineStoreOf(db);
    const routes = new Map();
    const echo = { pageId: 'p1', field: 'message_echoes', targetAppId: null, threadOwnerAppId: null };
    const first = store.mayDeliver(db, echo, routes);
    if (dialect === 'postgres') {
      // PostgreSQL routes in its INSERT … SELECT: it never reads to answer.
      expect(first).toBe(true);
      return;
    }
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toBe(true);
    expect(store.mayDeliver(db, echo, routes)).toBe(true);
    // app1 subscribes to echoes only: a customer's message would go to no app.
    expect(store.mayDeliver(db, { ...echo, field: 'messages' }, routes)).toBe(false);
  });
});

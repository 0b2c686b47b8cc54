/**
 * The write queue on PostgreSQL: several group commits in flight (DATABASE_WRITE_CONCURRENCY)
 * and deadlock retry. Jobs without savepoints, on both dialects: write-queue-optimistic.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestHub, DIALECTS, type TestHub } from '../../test/helpers.js';
import type { Bus } from '../bus/bus.js';
import type { BusEvent } from '../bus/events.js';
import { appendToTimeline } from '../timeline/index.js';
import type { WriteTx } from './write-queue.js';

/** A bus that records the cursors published after commit, per customer. */
function recordingBus(): { bus: Bus; cursors: Map<string, number[]> } {
  const cursors = new Map<string, number[]>();
  const bus = {
    publish(event: BusEvent) {
      if (event.name !== 'customer.frame') return;
      const list = cursors.get(event.customerId) ?? [];
      list.push((event.frame as { cursor: number }).cursor);
      cursors.set(event.customerId, list);
    },
    subscribe: () => () => undefined,
    close: async () => undefined,
  } as Bus;
  return { bus, cursors };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => undefined as void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe.runIf(DIALECTS.includes('postgres'))('postgres: WriteQueue with transactions in flight at once', () => {
  let hub: TestHub | undefined;
  afterEach(async () => {
    await hub?.dispose();
    hub = undefined;
  });

  async function start(concurrency: number): Promise<TestHub> {
    hub = await buildTestHub({ dialect: 'postgres', env: { DATABASE_WRITE_CONCURRENCY: String(concurrency) } });
    return hub;
  }

  async function addCustomers(h: TestHub, ids: string[]): Promise<void> {
    await h.ctx.storage.db
      .insertInto('customers')
      .values(ids.map((id) => ({ id, username: id, password_hash: 'x', created_at: 1 })))
      .execute();
  }

  const frame = (n: number) => ({ type: 'conversation' as const, conversation_id: 'c1', change: `n${n}` });

  it.each([
    { kind: 'written at once', setBased: false },
    { kind: 'set-based', setBased: true },
  ])(
    'keeps a customer’s cursors gapless and in commit order when its writes ($kind) contend from several transactions',
    async ({ setBased }) => {
      const h = await start(4);
      await addCustomers(h, ['u_hot']);
      const { bus, cursors } = recordingBus();
      const writes = h.ctx.storage.writes;
      // 12 writers, 25 writes each, all to one customer: transactions in flight at once queue
      // on its counter row (set-based: the batches' counter updates do).
      const told = (
        await Promise.all(
          Array.from({ length: 12 }, async (_, w) => {
            const seqs: number[] = [];
            for (let k = 0; k < 25; k++) {
              // Arrivals spread in time, so batches start while others are in flight.
              await new Promise((r) => setTimeout(r, Math.random() * 3));
              const command = { kind: 'frame' as const, customerId: 'u_hot', frame: frame(w * 25 + k), now: 1 };
              const [appended] = await writes.run((tx) => appendToTimeline(tx, bus, [command]), { setBased });
              seqs.push(appended?.cursor as number);
            }
            return seqs;
          }),
        )
      ).flat();
      expect(writes.stats.batches).toBeGreaterThan(20);
      const rows = await h.ctx.storage.db
        .selectFrom('customer_events')
        .select('seq')
        .where('customer_id', '=', 'u_hot')
        .orderBy('seq')
        .execute();
      const stored = rows.map((r) => Number(r.seq));
      // Every write committed exactly once, numbered 1..300 without a gap, as each was told.
      expect(stored).toEqual(Array.from({ length: 300 }, (_, k) => k + 1));
      expect([...told].sort((a, b) => a - b)).toEqual(stored);
      // Published after commit, in cursor order, each once.
      expect(cursors.get('u_hot')).toEqual(stored);
    },
    60_000,
  );

  it('runs a job that lost a deadlock again: both jobs commit once, their effects run once', async () => {
    const h = await start(2);
    await addCustomers(h, ['u_x', 'u_y']);
    const writes = h.ctx.storage.writes;
    const bump = (tx: WriteTx, id: string) =>
      tx.db
        .updateTable('customers')
        .set((eb) => ({ event_seq: eb('event_seq', '+', 1) }))
        .where('id', '=', id)
        .execute();
    const xLocked = deferred();
    const yLocked = deferred();
    const runs = { a: 0, b: 0 };
    const effects: string[] = [];
    // A locks x then y, B locks y then x, each in its own transaction: one of them deadlocks.
    const a = writes.run(async (tx) => {
      runs.a += 1;
      await bump(tx, 'u_x');
      xLocked.resolve();
      await yLocked.promise;
      await bump(tx, 'u_y');
      tx.afterCommit(() => effects.push('a'));
    });
    await xLocked.promise;
    const b = writes.run(async (tx) => {
      runs.b += 1;
      await bump(tx, 'u_y');
      yLocked.resolve();
      await xLocked.promise;
      await bump(tx, 'u_x');
      tx.afterCommit(() => effects.push('b'));
    });
    await Promise.all([a, b]);
    expect(runs.a + runs.b).toBe(3);
    expect(writes.stats.retries).toBe(1);
    expect(effects.sort()).toEqual(['a', 'b']);
    const rows = await h.ctx.storage.db.selectFrom('customers').select(['id', 'event_seq']).orderBy('id').execute();
    expect(rows).toEqual([
      { id: 'u_x', event_seq: 2 },
      { id: 'u_y', event_seq: 2 },
    ]);
  }, 30_000);
});

/**
 * Four group-commit transactions in flight on PostgreSQL, under contention: Send API messages
 * from two pages and the customers' own messages, all to a few customers at once. Partitions
 * (storage/pending-jobs.ts) keep two transactions in flight off the same customer, so none
 * waits on another's counter or loses a deadlock; each conversation's messages keep the order
 * they were acknowledged in, and each customer's cursors run 1..n without a gap.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { textSend } from '../../test/contract/graph-fixtures.js';
import { buildTestHub, createPage, DIALECTS, openConversation, signUp, type TestHub } from '../../test/helpers.js';

const CUSTOMERS = 4;
/** Messages each chain sends, one after the other (the next once the last was acknowledged). */
const PER_CHAIN = 15;

interface Chain {
  customerId: string;
  conversationId: string;
  send(n: number): Promise<string>;
}

describe.runIf(DIALECTS.includes('postgres'))(
  'postgres: 4 write transactions in flight, partitioned by customer',
  () => {
    let hub: TestHub | undefined;
    afterEach(async () => {
      await hub?.dispose();
      hub = undefined;
    });

    it('keeps each conversation in acknowledged order and each customer’s cursors gapless, without deadlocks', async () => {
      const h = (hub = await buildTestHub({
        dialect: 'postgres',
        env: { DATABASE_WRITE_CONCURRENCY: '4', SEND_RATE_LIMIT_PER_PAGE: '100000' },
      }));
      const pages = [await createPage(h), await createPage(h)];
      const chains: Chain[] = [];
      for (let c = 0; c < CUSTOMERS; c++) {
        const customer = await signUp(h);
        for (const page of pages) {
          const conv = await openConversation(h, customer.cookie, page.page_id);
          const own = async (n: number) => {
            const res = await h.app.inject({
              method: 'POST',
              url: `/api/conversations/${conv.id}/messages`,
              headers: { cookie: customer.cookie },
              payload: { text: `from the customer #${n}` },
            });
            if (res.statusCode !== 201) throw new Error(`customer send: ${res.statusCode} ${res.body}`);
            return res.json<{ mid: string }>().mid;
          };
          await own(0); // opens the 24-hour window
          const { psid } = await h.ctx.storage.db
            .selectFrom('conversations')
            .select('psid')
            .where('id', '=', conv.id)
            .executeTakeFirstOrThrow();
          const business = async (n: number) => {
            const res = await h.app.inject({
              method: 'POST',
              url: `/v25.0/me/messages?access_token=${page.page_access_token}`,
              payload: textSend(psid, `balance update #${n}`),
            });
            if (res.statusCode !== 200) throw new Error(`Send API: ${res.statusCode} ${res.body}`);
            return res.json<{ message_id: string }>().message_id;
          };
          // Two chains per conversation (the business's and the customer's), three per page pair
          // of a customer: eight conversations, sixteen chains on four counters.
          for (const send of [business, business, own])
            chains.push({ customerId: customer.id, conversationId: conv.id, send });
        }
      }
      const writes = h.ctx.storage.writes;
      const before = writes.stats;

      const acknowledged = await Promise.all(
        chains.map(async (chain) => {
          const mids: string[] = [];
          for (let n = 1; n <= PER_CHAIN; n++) {
            await new Promise((r) => setTimeout(r, Math.random() * 2));
            mids.push(await chain.send(n));
          }
          return mids;
        }),
      );

      const after = writes.stats;
      expect(after.jobs - before.jobs).toBeGreaterThanOrEqual(chains.length * PER_CHAIN);
      // No transaction waited on another's counter long enough to lose a deadlock, nor ran again.
      expect(after.retries - before.retries).toBe(0);
      expect(after.reruns - before.reruns).toBe(0);

      const events = await h.ctx.storage.db
        .selectFrom('customer_events')
        .select(['customer_id', 'seq', 'conversation_id', 'type', 'ref'])
        .orderBy('customer_id')
        .orderBy('seq')
        .execute();
      // Each customer's cursors: 1..n, no gap, no repeat.
      const seqs = new Map<string, number[]>();
      for (const e of events) seqs.set(e.customer_id, [...(seqs.get(e.customer_id) ?? []), e.seq]);
      expect(seqs.size).toBe(CUSTOMERS);
      for (const list of seqs.values()) expect(list).toEqual(Array.from({ length: list.length }, (_, k) => k + 1));
      // Each chain's messages appear in its conversation in the order they were acknowledged.
      const cursorOf = new Map(events.filter((e) => e.type === 'message').map((e) => [e.ref, e]));
      chains.forEach((chain, i) => {
        const mids = acknowledged[i] ?? [];
        const found = mids.map((mid) => cursorOf.get(mid));
        for (const e of found)
          expect(e).toMatchObject({ customer_id: chain.customerId, conversation_id: chain.conversationId });
        const cursors = found.map((e) => e?.seq ?? 0);
        expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
      });
    }, 60_000);
  },
);

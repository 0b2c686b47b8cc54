/**
 * The Send API's messages join the group commit's set-based batch (send-steps.ts `setBased`,
 * storage/timeline-batch.ts): concurrent sends are written in sets, each answered with its
 * message id, stored once and numbered on the customer's event log without a gap, in the
 * order they were written. Both dialects.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildGraphFixture, customerMessages, textSend } from '../../../test/contract/graph-fixtures.js';
import { buildTestHub, DIALECTS, type TestHub } from '../../../test/helpers.js';
import { timelineStoreOf } from '../../storage/timeline-store.js';

describe.each(DIALECTS)('%s: Send API messages in set-based batches', (dialect) => {
  let hub: TestHub | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await hub?.dispose();
    hub = undefined;
  });

  it('writes concurrent sends in sets: every answer’s message stored once, cursors gapless in message order', async () => {
    hub = await buildTestHub({ dialect, env: { SEND_RATE_LIMIT_PER_PAGE: '1000' } });
    const h = hub;
    const fx = await buildGraphFixture(h);
    const store = timelineStoreOf(h.ctx.storage.db);
    const written: number[] = [];
    const appendBatch = store.appendBatch.bind(store);
    vi.spyOn(store, 'appendBatch').mockImplementation((db, batch) => {
      written.push(batch.length);
      return appendBatch(db, batch);
    });
    const url = `/v25.0/me/messages?access_token=${fx.page.page_access_token}`;
    const texts = Array.from({ length: 12 }, (_, i) => `update ${i}`);
    const answers = await Promise.all(
      texts.map((text) => h.app.inject({ method: 'POST', url, payload: textSend(fx.psid, text) })),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(texts.map(() => 200));
    // Every message went through the batch, several at once.
    expect(written.reduce((a, b) => a + b, 0)).toBe(texts.length);
    expect(Math.max(...written)).toBeGreaterThan(1);

    const seen = (await customerMessages(h, fx)).filter((m) => m.direction === 'out');
    expect(seen.map((m) => m.mid).sort()).toEqual(answers.map((a) => a.json().message_id as string).sort());
    const events = await h.ctx.storage.db
      .selectFrom('customer_events')
      .select(['seq', 'ref'])
      .where('customer_id', '=', fx.customer.id)
      .where('type', '=', 'message')
      .orderBy('seq')
      .execute();
    const seqs = events.map((e) => Number(e.seq));
    const first = seqs[0] ?? 0;
    // The customer's own first message, then the twelve sends, without a gap.
    expect(seqs).toEqual(Array.from({ length: texts.length + 1 }, (_, i) => first + i));
    // In the order the rows were written (message ids ascend with the messages table's order).
    const byId = await h.ctx.storage.db
      .selectFrom('messages')
      .select('mid')
      .where('conversation_id', '=', fx.conversationId)
      .orderBy('id')
      .execute();
    expect(events.map((e) => e.ref)).toEqual(byId.map((m) => m.mid));
  });
});

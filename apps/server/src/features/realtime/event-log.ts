/**
 * The customer's event log: every persisted frame gets the next per-customer cursor in
 * the same transaction as the change it describes. The row lock on the customer's
 * counter orders events per customer even across hub processes. After commit the frame
 * is published on the bus for live streams; a stream that missed it reads it back here.
 */
import type { ChatMessage, ServerFrame } from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { Bus } from '../../bus/bus.js';
import type { Vault } from '../../privacy/vault.js';
import type { Database } from '../../storage/schema.js';
import type { WriteTx } from '../../storage/write-queue.js';

/** A frame about to be persisted: everything but its cursor. */
export type NewFrame =
  | { type: 'message'; message: ChatMessage }
  | { type: 'receipt'; conversation_id: string; side: 'page' | 'customer'; kind: 'delivery' | 'read'; watermark: number }
  | { type: 'conversation'; conversation_id: string; change: string };

/** Persists a frame for `customerId` and publishes it after commit; returns its cursor. */
export async function appendCustomerEvent(tx: WriteTx, bus: Bus, customerId: string, frame: NewFrame, now: number): Promise<number> {
  const { event_seq: seq } = await tx.db
    .updateTable('customers')
    .set((eb) => ({ event_seq: eb('event_seq', '+', 1) }))
    .where('id', '=', customerId)
    .returning('event_seq')
    .executeTakeFirstOrThrow();
  const conversationId = frame.type === 'message' ? frame.message.conversation_id : frame.conversation_id;
  await tx.db
    .insertInto('customer_events')
    .values({
      customer_id: customerId,
      seq,
      conversation_id: conversationId,
      type: frame.type,
      ref: frame.type === 'message' ? frame.message.mid : null,
      data: frame.type === 'message' ? '{}' : JSON.stringify(frame),
      created_at: now,
    })
    .execute();
  const full = { ...frame, cursor: seq } as ServerFrame;
  tx.afterCommit(() => bus.publish({ name: 'customer.frame', customerId, frame: full }));
  return seq;
}

/**
 * Reads persisted frames after `cursor`, oldest first, from at most `limit` events.
 * `last` is the cursor of the last event read (frames of erased messages are skipped).
 */
export async function readCustomerEvents(
  db: Kysely<Database>,
  vault: Vault,
  customerId: string,
  cursor: number,
  limit: number,
): Promise<{ frames: ServerFrame[]; last: number }> {
  const rows = await db
    .selectFrom('customer_events as e')
    .leftJoin('messages as m', 'm.mid', 'e.ref')
    .select(['e.seq', 'e.type', 'e.data', 'e.conversation_id', 'm.mid', 'm.direction', 'm.body', 'm.created_at', 'm.tag'])
    .where('e.customer_id', '=', customerId)
    .where('e.seq', '>', cursor)
    .orderBy('e.seq')
    .limit(limit)
    .execute();
  const frames: ServerFrame[] = [];
  for (const row of rows) {
    if (row.type !== 'message') {
      frames.push({ ...(JSON.parse(row.data) as NewFrame), cursor: row.seq } as ServerFrame);
      continue;
    }
    // The message was erased after the event was logged: skip it, keep the cursor moving.
    if (row.mid === null || row.body === null || row.direction === null || row.created_at === null) continue;
    frames.push({
      type: 'message',
      cursor: row.seq,
      message: {
        mid: row.mid,
        conversation_id: row.conversation_id,
        direction: row.direction,
        created_at: row.created_at,
        body: await vault.openMessage({ purpose: 'deliver_to_customer', actor: `customer:${customerId}` }, customerId, row.body),
        tag: row.tag,
      },
    });
  }
  return { frames, last: rows.at(-1)?.seq ?? cursor };
}

/** The latest cursor of a customer. */
export async function currentCursor(db: Kysely<Database>, customerId: string): Promise<number> {
  const row = await db.selectFrom('customers').select('event_seq').where('id', '=', customerId).executeTakeFirst();
  return row?.event_seq ?? 0;
}

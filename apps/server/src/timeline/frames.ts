/**
 * The customer's event log: every persisted frame gets the next per-customer cursor in the
 * same transaction as the change it describes (the kernel's append, append.ts). After commit
 * the frame is published on the bus for live streams; a stream that missed it reads it back
 * here.
 */
import type { ChatMessage, ServerFrame } from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { Vault } from '../privacy/vault.js';
import type { Database } from '../storage/schema.js';
import type { EventRecord } from '../storage/timeline-store.js';
import { presentPersona } from './personas.js';

/** A frame about to be persisted: everything but its cursor. */
export type NewFrame =
  | { type: 'message'; message: ChatMessage }
  | {
      type: 'receipt';
      conversation_id: string;
      side: 'page' | 'customer';
      kind: 'delivery' | 'read';
      watermark: number;
    }
  | { type: 'conversation'; conversation_id: string; change: string };

/** The event row's values for a frame (the cursor aside). */
export function eventRecord(customerId: string, frame: NewFrame, now: number): EventRecord {
  return {
    customerId,
    conversationId: frame.type === 'message' ? frame.message.conversation_id : frame.conversation_id,
    type: frame.type,
    // A message frame is read back from its message row (readCustomerEvents).
    ref: frame.type === 'message' ? frame.message.mid : null,
    data: frame.type === 'message' ? '{}' : JSON.stringify(frame),
    now,
  };
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
    .leftJoin('personas as p', 'p.id', 'm.persona_id')
    .select([
      'e.seq',
      'e.type',
      'e.data',
      'e.conversation_id',
      'm.mid',
      'm.direction',
      'm.body',
      'm.created_at',
      'm.tag',
    ])
    .select(['p.id as persona_id', 'p.name as persona_name', 'p.profile_picture_url as persona_picture'])
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
        body: await vault.openMessage(
          { purpose: 'deliver_to_customer', actor: `customer:${customerId}` },
          customerId,
          row.body,
        ),
        tag: row.tag,
        persona:
          row.persona_id === null || row.persona_name === null || row.persona_picture === null
            ? null
            : presentPersona({ id: row.persona_id, name: row.persona_name, profile_picture_url: row.persona_picture }),
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

/** The customer's access log: the newest audit records about them (ids, actions and purposes only, never content). */
import type { AccessLogEntry } from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.js';

export type { AccessLogEntry } from '@confide/protocol';

export async function readAccessLog(
  db: Kysely<Database>,
  customerId: string,
  limit: number,
): Promise<AccessLogEntry[]> {
  const rows = await db
    .selectFrom('audit_log')
    .select(['seq', 'at', 'actor', 'action', 'target', 'purpose'])
    .where('customer_id', '=', customerId)
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    seq: Number(r.seq),
    at: Number(r.at),
    actor: r.actor,
    action: r.action,
    target: r.target,
    purpose: r.purpose,
  }));
}

/**
 * The audit log: append-only and hash-chained. Each record carries the hash of the one
 * before it, so editing, deleting or reordering a record breaks the chain at that record;
 * periodic checkpoints sign (seq, hash) with the hub's KEK-anchored key and are witnessed
 * outside the database (audit-checkpoints.ts), so rewriting or truncating the chain after
 * a checkpoint is caught too (audit-verify.ts). Records hold ids, purposes and counts —
 * never content. Appends lock the single `audit_head` row, which orders them across processes.
 */
import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { AuditLogTable, Database } from '../storage/schema.js';

/** What is audited. */
export type AuditAction =
  | 'content.access'
  | 'content.denied'
  | 'consent.granted'
  | 'consent.changed'
  | 'consent.renewed'
  | 'consent.revoked'
  | 'consent.expired'
  | 'agent.view'
  | 'customer.export'
  /** A signed conversation transcript given to a page's app (features/transcripts). */
  | 'transcript.exported'
  | 'customer.erased'
  | 'conversation.history_erased'
  | 'token.created'
  | 'token.revoked'
  | 'webhook.config'
  | 'keys.rotated'
  | 'attachments.rekeyed'
  | 'assistant.granted'
  | 'assistant.changed'
  | 'assistant.revoked'
  | 'assistant.read'
  | 'assistant.action'
  | 'assistant.denied'
  /** A Web Push attempt (features/push): channel, category, page, outcome; never content. */
  | 'notification.push'
  /** An SMS attempt or reply (features/sms): channel, category, page, outcome; never content or number. */
  | 'notification.sms'
  // The business console (features/console): who in an organisation did what.
  | 'console.org_created'
  | 'console.signed_in'
  | 'console.signed_out'
  | 'console.invite_created'
  | 'console.member_joined'
  | 'console.page_created'
  | 'console.page_adopted'
  | 'console.declared'
  | 'console.profile_changed'
  | 'console.picture_changed'
  | 'console.picture_removed'
  | 'console.team_created'
  | 'console.team_changed'
  | 'console.team_deleted'
  | 'console.agent_placed'
  | 'console.persona_created'
  | 'console.agent_created'
  | 'console.template_created'
  | 'console.secret_revealed'
  | 'console.secret_rotated'
  // Supervision of the agent inbox (features/inbox): four-eyes approvals, SLA, supervisors' reads.
  | 'inbox.approval_requested'
  | 'inbox.approval_decided'
  | 'inbox.csat_asked'
  | 'inbox.csat_answered'
  | 'inbox.sla_changed'
  | 'inbox.sla_breached'
  | 'inbox.supervisor_read'
  // OpenID Connect single sign-on (features/sso) of agents and console members.
  | 'sso.signed_in'
  | 'sso.refused'
  | 'sso.session_ended'
  | 'sso.linked';

export interface AuditEntry {
  at: number;
  actor: string;
  action: AuditAction;
  customerId?: string | null;
  target?: string | null;
  purpose?: string | null;
  /** Ids, counts and flags only. */
  details?: Record<string, string | number | boolean | null>;
}

/** One stored audit record (the `audit_log` row). */
export type AuditRecord = AuditLogTable;

/** The record's hash: SHA-256 over its fields in a fixed order, prev_hash included. */
export function hashRecord(r: Omit<AuditRecord, 'hash'>): string {
  const canonical = JSON.stringify([
    r.seq,
    r.at,
    r.actor,
    r.action,
    r.customer_id,
    r.target,
    r.purpose,
    r.details,
    r.prev_hash,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** Appends one record inside the caller's transaction; returns its seq. */
export async function appendAudit(db: Transaction<Database>, entry: AuditEntry): Promise<number> {
  // The update takes the head row's lock until commit: appends are serialized.
  const head = await db
    .updateTable('audit_head')
    .set((eb) => ({ seq: eb('seq', '+', 1) }))
    .where('id', '=', 1)
    .returning(['seq', 'hash'])
    .executeTakeFirstOrThrow();
  const seq = Number(head.seq);
  const record: Omit<AuditRecord, 'hash'> = {
    seq,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    customer_id: entry.customerId ?? null,
    target: entry.target ?? null,
    purpose: entry.purpose ?? null,
    details: JSON.stringify(entry.details ?? {}),
    prev_hash: head.hash,
  };
  const hash = hashRecord(record);
  await db
    .insertInto('audit_log')
    .values({ ...record, hash })
    .execute();
  await db.updateTable('audit_head').set({ hash }).where('id', '=', 1).execute();
  return seq;
}

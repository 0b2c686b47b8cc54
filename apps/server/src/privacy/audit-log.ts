/**
 * The audit log: append-only and hash-chained. Each record carries the hash of the one
 * before it, so editing, deleting or reordering a record breaks the chain at that record;
 * periodic checkpoints sign (seq, hash) with the hub's ES256 key, so rewriting the whole
 * chain after a checkpoint is caught too. Records hold ids, purposes and counts — never
 * content. Appends lock the single `audit_head` row, which orders them across processes.
 */
import { createHash } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import type { Kysely, Transaction } from 'kysely';
import type { AuditLogTable, Database } from '../storage/schema.js';
import { GENESIS } from '../storage/migrations/006-privacy.js';

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
  | 'customer.erased'
  | 'conversation.history_erased'
  | 'token.created'
  | 'token.revoked'
  | 'webhook.config'
  | 'keys.rotated'
  | 'attachments.rekeyed';

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
  const canonical = JSON.stringify([r.seq, r.at, r.actor, r.action, r.customer_id, r.target, r.purpose, r.details, r.prev_hash]);
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

export type VerifyResult = { ok: true; records: number; checkpoints: number } | { ok: false; records: number; brokenAt: number; reason: string };

/**
 * Walks the chain from the first record: sequence without gaps, each prev_hash equal to
 * the previous hash, each hash recomputed; then every checkpoint's signature and its
 * (seq, hash) against the chain; then the head. Names the first broken record.
 */
export async function verifyAudit(db: Kysely<Database>, jwks: { keys: JWK[] }): Promise<VerifyResult> {
  const hashes = new Map<number, string>();
  let prev = GENESIS;
  let expected = 1;
  let count = 0;
  let lastSeq = 0;
  const batch = 1000;
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('seq', '>=', expected).orderBy('seq').limit(batch).execute();
    for (const raw of rows) {
      const r = { ...raw, seq: Number(raw.seq), at: Number(raw.at) };
      if (r.seq !== expected) return { ok: false, records: count, brokenAt: expected, reason: `record ${expected} is missing` };
      if (r.prev_hash !== prev)
        return { ok: false, records: count, brokenAt: r.seq, reason: `record ${r.seq} does not follow record ${r.seq - 1} (prev_hash mismatch)` };
      if (hashRecord(r) !== r.hash) return { ok: false, records: count, brokenAt: r.seq, reason: `record ${r.seq} was altered (hash mismatch)` };
      hashes.set(r.seq, r.hash);
      prev = r.hash;
      expected = r.seq + 1;
      lastSeq = r.seq;
      count += 1;
    }
    if (rows.length < batch) break;
  }
  const head = await db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
  if (head !== undefined && (Number(head.seq) !== lastSeq || head.hash !== prev)) {
    return { ok: false, records: count, brokenAt: lastSeq + 1, reason: `records after ${lastSeq} are missing (head is at ${Number(head.seq)})` };
  }
  const keySet = createLocalJWKSet(jwks);
  const checkpoints = await db.selectFrom('audit_checkpoints').selectAll().orderBy('seq').execute();
  for (const c of checkpoints) {
    const seq = Number(c.seq);
    try {
      const { payload } = await jwtVerify(c.jws, keySet, { typ: 'confide-audit-checkpoint+jwt' });
      if (payload['seq'] !== seq || payload['hash'] !== c.hash) throw new Error('claims do not match the row');
    } catch (err) {
      return { ok: false, records: count, brokenAt: seq, reason: `checkpoint at ${seq} has a bad signature (${(err as Error).message})` };
    }
    if (hashes.get(seq) !== c.hash) return { ok: false, records: count, brokenAt: seq, reason: `record ${seq} differs from its signed checkpoint` };
  }
  return { ok: true, records: count, checkpoints: checkpoints.length };
}

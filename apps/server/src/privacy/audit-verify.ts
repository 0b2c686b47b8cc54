/**
 * `confide audit verify`: checks the audit chain against what anchors it outside the
 * database. In order, naming the first thing that fails:
 * 1. the chain: sequence without gaps, each prev_hash, each recomputed hash, the head row;
 * 2. every checkpoint row: signed by a trusted key (one whose wrap opens under the KEK)
 *    over its own (seq, hash), and that hash is the chain's at seq;
 * 3. coverage: no record older than CHECKPOINT_GRACE_MS lies past the last checkpoint;
 * 4. the witness (and any extra witness files): every entry signed by a trusted key, inside
 *    the chain (else the log was truncated), equal to the chain's hash and to the database's
 *    checkpoint at that seq (else rewritten, or checkpoints deleted);
 * 5. consent receipts handed in by customers: the checkpoint head a receipt carries is in
 *    the chain.
 */
import { createLocalJWKSet, jwtVerify, type JWK, type JWTVerifyGetKey } from 'jose';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.js';
import { GENESIS } from '../storage/migrations/006-privacy.js';
import { hashRecord } from './audit-log.js';
import { CHECKPOINT_GRACE_MS, CHECKPOINT_TYPE } from './audit-checkpoints.js';
import type { WitnessContents } from './audit-witness.js';

export type VerifyResult =
  | {
      ok: true;
      records: number;
      checkpoints: number;
      /** Witness entries checked (all witnesses). */
      witnessed: number;
      /** Receipts whose checkpoint head was found in the chain. */
      receipts: number;
      /** What weakens the result without breaking it (an empty witness, untrusted keys in the table). */
      warnings: string[];
    }
  | { ok: false; records: number; brokenAt: number; reason: string };

export interface VerifyInput {
  /** Trusted public keys only (SigningKeys.jwks()). */
  jwks: { keys: JWK[] };
  now: number;
  witnesses: WitnessContents[];
  /** Compact JWS consent receipts whose `audit_checkpoint` must be in the chain. */
  receipts?: readonly string[];
  /** Stored keys that are not trusted (reported as a warning). */
  untrustedKids?: readonly string[];
}

/** The receipt claim naming the newest checkpoint head when the receipt was signed. */
export interface ReceiptCheckpoint {
  seq: number;
  hash: string;
}

class Broken extends Error {
  readonly brokenAt: number;
  constructor(brokenAt: number, reason: string) {
    super(reason);
    this.brokenAt = brokenAt;
  }
}

export async function verifyAudit(db: Kysely<Database>, input: VerifyInput): Promise<VerifyResult> {
  const keySet = createLocalJWKSet(input.jwks);
  const checkpoints = (await db.selectFrom('audit_checkpoints').selectAll().orderBy('seq').execute()).map((c) => ({
    ...c,
    seq: Number(c.seq),
  }));
  let records = 0;
  try {
    const receiptHeads = await readReceipts(keySet, input.receipts ?? []);
    const wanted = new Set<number>([
      ...checkpoints.map((c) => c.seq),
      ...input.witnesses.flatMap((w) => w.entries.map((e) => e.seq)),
      ...receiptHeads.map((r) => r.seq),
    ]);
    const lastCheckpoint = checkpoints.at(-1)?.seq ?? 0;
    const chain = await walkChain(db, wanted, lastCheckpoint);
    records = chain.records;

    for (const c of checkpoints) {
      await assertSigned(keySet, c.jws, c.seq, c.hash, `checkpoint at ${c.seq}`);
      if (chain.hashes.get(c.seq) !== c.hash)
        throw new Broken(c.seq, `record ${c.seq} differs from its signed checkpoint`);
    }
    if (chain.oldestUncovered !== undefined && chain.oldestUncovered.at < input.now - CHECKPOINT_GRACE_MS) {
      const { seq } = chain.oldestUncovered;
      throw new Broken(
        seq,
        `record ${seq} is older than the checkpoint interval but no checkpoint covers it (checkpoints deleted, or the process that wrote it crashed before signing: a running hub signs it within a minute)`,
      );
    }

    const bySeq = new Map(checkpoints.map((c) => [c.seq, c]));
    let witnessed = 0;
    for (const w of input.witnesses) {
      if (w.problems.length > 0) throw new Broken(0, `witness ${w.location}: ${w.problems.join('; ')}`);
      for (const e of w.entries) {
        await assertSigned(keySet, e.jws, e.seq, e.hash, `witness entry for checkpoint ${e.seq}`);
        if (e.seq > chain.lastSeq)
          throw new Broken(
            chain.lastSeq + 1,
            `the log was truncated: witness ${w.location} holds checkpoint ${e.seq}, the chain ends at ${chain.lastSeq}`,
          );
        if (chain.hashes.get(e.seq) !== e.hash)
          throw new Broken(e.seq, `record ${e.seq} differs from the checkpoint in witness ${w.location} (rewritten)`);
        const row = bySeq.get(e.seq);
        if (row === undefined)
          throw new Broken(
            e.seq,
            `checkpoint ${e.seq} is in witness ${w.location} but missing from the database (deleted)`,
          );
        if (row.hash !== e.hash) throw new Broken(e.seq, `checkpoint ${e.seq} differs from witness ${w.location}`);
        witnessed += 1;
      }
    }
    for (const r of receiptHeads) {
      if (r.seq > chain.lastSeq)
        throw new Broken(
          chain.lastSeq + 1,
          `the log was truncated: a receipt names checkpoint ${r.seq}, the chain ends at ${chain.lastSeq}`,
        );
      if (chain.hashes.get(r.seq) !== r.hash)
        throw new Broken(r.seq, `record ${r.seq} differs from the checkpoint named by a receipt (rewritten)`);
    }

    const warnings: string[] = [];
    if (checkpoints.length > 0 && input.witnesses.every((w) => w.entries.length === 0)) {
      warnings.push('the witness holds no checkpoint: checkpoints are anchored by their signatures alone');
    }
    if ((input.untrustedKids ?? []).length > 0)
      warnings.push(
        `signing_keys holds keys not wrapped by the KEK, ignored: ${(input.untrustedKids ?? []).join(', ')}`,
      );
    return { ok: true, records, checkpoints: checkpoints.length, witnessed, receipts: receiptHeads.length, warnings };
  } catch (err) {
    if (err instanceof Broken) return { ok: false, records, brokenAt: err.brokenAt, reason: err.message };
    throw err;
  }
}

interface Chain {
  records: number;
  lastSeq: number;
  /** Hashes at the wanted seqs. */
  hashes: Map<number, string>;
  /** The first record past the last checkpoint with the oldest time. */
  oldestUncovered: { seq: number; at: number } | undefined;
}

/** Walks the chain from the first record; keeps the hashes of the wanted seqs. */
async function walkChain(db: Kysely<Database>, wanted: ReadonlySet<number>, lastCheckpoint: number): Promise<Chain> {
  const hashes = new Map<number, string>();
  let prev = GENESIS;
  let expected = 1;
  let records = 0;
  let lastSeq = 0;
  let oldestUncovered: Chain['oldestUncovered'];
  const batch = 1000;
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>=', expected)
      .orderBy('seq')
      .limit(batch)
      .execute();
    for (const raw of rows) {
      const r = { ...raw, seq: Number(raw.seq), at: Number(raw.at) };
      if (r.seq !== expected) throw new Broken(expected, `record ${expected} is missing`);
      if (r.prev_hash !== prev)
        throw new Broken(r.seq, `record ${r.seq} does not follow record ${r.seq - 1} (prev_hash mismatch)`);
      if (hashRecord(r) !== r.hash) throw new Broken(r.seq, `record ${r.seq} was altered (hash mismatch)`);
      if (wanted.has(r.seq)) hashes.set(r.seq, r.hash);
      if (r.seq > lastCheckpoint && (oldestUncovered === undefined || r.at < oldestUncovered.at))
        oldestUncovered = { seq: r.seq, at: r.at };
      prev = r.hash;
      expected = r.seq + 1;
      lastSeq = r.seq;
      records += 1;
    }
    if (rows.length < batch) break;
  }
  const head = await db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
  if (head !== undefined && (Number(head.seq) !== lastSeq || head.hash !== prev)) {
    throw new Broken(lastSeq + 1, `records after ${lastSeq} are missing (head is at ${Number(head.seq)})`);
  }
  return { records, lastSeq, hashes, oldestUncovered };
}

async function assertSigned(
  keySet: JWTVerifyGetKey,
  jws: string,
  seq: number,
  hash: string,
  what: string,
): Promise<void> {
  try {
    const { payload } = await jwtVerify(jws, keySet, { typ: CHECKPOINT_TYPE });
    if (payload['seq'] !== seq || payload['hash'] !== hash) throw new Error('claims do not match');
  } catch (err) {
    throw new Broken(seq, `${what} has a bad signature or no trusted key (${(err as Error).message})`);
  }
}

/** The checkpoint heads of receipts, each verified against the trusted keys. */
async function readReceipts(keySet: JWTVerifyGetKey, receipts: readonly string[]): Promise<ReceiptCheckpoint[]> {
  const heads: ReceiptCheckpoint[] = [];
  for (const [i, jws] of receipts.entries()) {
    let claim: unknown;
    try {
      const { payload } = await jwtVerify(jws.trim(), keySet, { typ: 'consent-receipt+jwt' });
      claim = payload['audit_checkpoint'];
    } catch (err) {
      throw new Broken(
        0,
        `receipt ${i + 1} does not verify against the hub's trusted keys (${(err as Error).message})`,
      );
    }
    const c = claim as Partial<ReceiptCheckpoint> | undefined;
    if (typeof c?.seq !== 'number' || typeof c.hash !== 'string')
      throw new Broken(0, `receipt ${i + 1} names no audit checkpoint`);
    heads.push({ seq: c.seq, hash: c.hash });
  }
  return heads;
}

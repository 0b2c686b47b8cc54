/**
 * Signed checkpoints of the audit chain. A checkpoint signs the head `(seq, hash)` with the
 * hub's KEK-anchored key (crypto/signing-keys.ts), is stored in `audit_checkpoints`, and is
 * appended to the witness outside the database (audit-witness.ts). One is due every
 * CHECKPOINT_EVERY records and whenever a record is older than CHECKPOINT_MAX_AGE_MS without
 * one; a process that stops signs its head too. `confide audit verify` then requires every
 * record older than CHECKPOINT_GRACE_MS to be covered.
 *
 * Several processes (PostgreSQL) may all sign: a checkpoint row is unique per seq, and only
 * the process whose insert won appends the witness line, so a witness holds each head once.
 * Before signing, the writer checks that the chain still holds the last head it witnessed:
 * a hub never signs over a log that was rewritten or truncated behind its back.
 */
import type { HubContext } from '../context.js';
import { SigningKeys } from '../crypto/signing-keys.js';
import type { AuditWitness } from './audit-witness.js';

/** Records between two signed checkpoints, at most (a flush may add more before it signs). */
export const CHECKPOINT_EVERY = 100;
/** A record waits this long at most for its checkpoint while a hub runs. */
export const CHECKPOINT_MAX_AGE_MS = 60_000;
/** Verification fails when a record older than this has no checkpoint (the writer's bound plus slack). */
export const CHECKPOINT_GRACE_MS = 10 * 60_000;
/** JWS `typ` of a checkpoint. */
export const CHECKPOINT_TYPE = 'confide-audit-checkpoint+jwt';

export class AuditCheckpoints {
  readonly #ctx: HubContext;
  readonly witness: AuditWitness;
  /** The newest head this process knows to be witnessed (read from the witness once, then kept). */
  #lastWitnessed: { seq: number; hash: string } | null | undefined;

  constructor(ctx: HubContext, witness: AuditWitness) {
    this.#ctx = ctx;
    this.witness = witness;
  }

  /** Whether a checkpoint is due: enough records since the last one, or one waiting too long. */
  async due(now: number): Promise<boolean> {
    const { head, last } = await this.#positions();
    if (head <= last) return false;
    if (head - last >= CHECKPOINT_EVERY) return true;
    const oldest = await this.#ctx.storage.db
      .selectFrom('audit_log')
      .select('at')
      .where('seq', '=', last + 1)
      .executeTakeFirst();
    return oldest !== undefined && Number(oldest.at) <= now - CHECKPOINT_MAX_AGE_MS;
  }

  /** Whether records exist past the last checkpoint. */
  async pending(): Promise<boolean> {
    const { head, last } = await this.#positions();
    return head > last;
  }

  /**
   * Signs the chain head, stores the checkpoint and witnesses it; returns its seq (0 for an
   * empty log).
   * @throws Error when the chain no longer holds the last witnessed head (nothing is signed).
   */
  async sign(): Promise<number> {
    const keys = SigningKeys.of(this.#ctx);
    await keys.ensure();
    const db = this.#ctx.storage.db;
    const head = await db
      .selectFrom('audit_head')
      .select(['seq', 'hash'])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    const seq = Number(head.seq);
    if (seq === 0) return 0;
    await this.#assertExtendsWitness(seq);
    const at = this.#ctx.now();
    const jws = await keys.sign(
      { seq, hash: head.hash, iss: this.#ctx.config.publicUrl, iat: Math.floor(at / 1000) },
      CHECKPOINT_TYPE,
    );
    const inserted = await this.#ctx.storage.writes.run((tx) =>
      tx.db
        .insertInto('audit_checkpoints')
        .values({ seq, hash: head.hash, jws, created_at: at })
        .onConflict((oc) => oc.column('seq').doNothing())
        .returning('seq')
        .executeTakeFirst(),
    );
    // Another process signed this head already: its witness line stands.
    if (inserted === undefined) return seq;
    await this.witness.append({ seq, hash: head.hash, jws, at });
    this.#lastWitnessed = { seq, hash: head.hash };
    return seq;
  }

  async #positions(): Promise<{ head: number; last: number }> {
    const db = this.#ctx.storage.db;
    const head = await db.selectFrom('audit_head').select('seq').where('id', '=', 1).executeTakeFirstOrThrow();
    const last = await db
      .selectFrom('audit_checkpoints')
      .select('seq')
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return { head: Number(head.seq), last: Number(last?.seq ?? 0) };
  }

  async #assertExtendsWitness(headSeq: number): Promise<void> {
    if (this.#lastWitnessed === undefined) {
      const { entries } = await this.witness.read();
      const newest = entries.reduce<WitnessHead | null>(
        (max, e) => (max === null || e.seq > max.seq ? { seq: e.seq, hash: e.hash } : max),
        null,
      );
      this.#lastWitnessed = newest;
    }
    const witnessed = this.#lastWitnessed;
    if (witnessed === null) return;
    const record = await this.#ctx.storage.db
      .selectFrom('audit_log')
      .select('hash')
      .where('seq', '=', witnessed.seq)
      .executeTakeFirst();
    if (witnessed.seq > headSeq || record?.hash !== witnessed.hash) {
      throw new Error(
        `audit checkpoint refused: the chain no longer holds the witnessed checkpoint ${witnessed.seq} (rewritten or truncated); ` +
          `run confide audit verify. If the database was re-created on purpose, move the witness ${this.witness.location} aside.`,
      );
    }
  }
}

interface WitnessHead {
  seq: number;
  hash: string;
}

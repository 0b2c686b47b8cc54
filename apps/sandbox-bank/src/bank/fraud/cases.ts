/**
 * Fraud cases, run the way card issuers run them (reference §7.2). A payment the rules
 * flag is held as a pending authorisation and its card blocked while the case is `open`;
 * the customer's answer settles it as `genuine` (payment booked, card unblocked) or
 * `fraud` (payment declined, card stays blocked, replacement ordered, the fraud team takes
 * over in the inbox); no answer by the deadline makes it `expired` (payment declined,
 * card soft-locked). Every transition goes to the case history with who or what caused it.
 *
 * {@link FraudCases.answer} is the one answer operation every channel uses (chat today);
 * the first valid answer settles the case and later ones get its outcome.
 */
import type { Platform } from '@confide/sdk';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Logger } from 'pino';
import { newId } from '../../common/ids.js';
import type { ProactiveSender, UtilityUpdate } from '../../common/proactive.js';
import type { Card, Ledger, Txn } from '../ledger.js';
import type { Links } from '../linking/links.js';
import { fraudCheckUpdate, fraudClosedUpdate, fraudExpiredUpdate, fraudReminderUpdate } from '../templates.js';
import type { AlertsTable, BankDatabase } from '../schema.js';
import { newAnswerKey, newCaseRef, verifyAnswerProof, type CaseAnswer } from './case-ref.js';
import type { RuleHit } from './rules.js';

export type FraudCase = Selectable<AlertsTable>;
/** Kept for callers that still say "alert": a fraud case is the alert and its follow-up. */
export type Alert = FraudCase;

/** Card lock reasons set by fraud cases; unlocking these needs a step-up (step-up.ts). */
export const FRAUD_LOCKS = { review: 'fraud_review', confirmed: 'fraud_confirmed', expired: 'fraud_expired' } as const;
export const isFraudLock = (reason: string | null): boolean =>
  reason !== null && (Object.values(FRAUD_LOCKS) as string[]).includes(reason);

/** Dependencies of {@link FraudCases}. */
export interface FraudCasesDeps {
  db: Kysely<BankDatabase>;
  ledger: Ledger;
  links: Links;
  platform: Platform;
  sender: ProactiveSender;
  log: Logger;
  now: () => number;
  /** How long the customer has to answer. */
  replyTimeoutMs: number;
  /** When the reminder goes out, counted from the alert. */
  remindAfterMs: number;
  /** Proactive contacts per case (alert, reminder, expiry notice). */
  maxContacts: number;
}

/** Who answers, through which channel. */
export interface AnswerInput {
  /** The case reference; undefined for a typed "yes"/"no" (then the customer's only open case). */
  ref: string | undefined;
  answer: CaseAnswer;
  /** `chat`, later `push`, `sms`, `assistant`. */
  channel: string;
  /** The channel's sender (a PSID for chat), for the history and the rejection log. */
  sender: string;
  /** The bank customer the channel vouches for; undefined when the sender is not linked. */
  customerId: string | undefined;
  /** The MAC of a button payload; required unless the channel authenticated the answer itself (`proofless`). */
  proof: string | undefined;
  proofless?: boolean;
  /**
   * Tells the customer on the answering channel, after the case is settled and before the
   * fraud team takes the conversation over (a chat reply must go out while the bank still
   * holds the thread).
   */
  confirm?: (settled: Extract<AnswerResult, { ok: true }>) => Promise<void>;
}

/** Why an answer changed nothing. */
export type RejectReason =
  'malformed' | 'unknown' | 'foreign' | 'forged' | 'replayed' | 'expired' | 'none_open' | 'ambiguous';

export type AnswerResult =
  | { ok: true; case: FraudCase; txn: Txn; card: Card }
  | { ok: false; reason: RejectReason; case?: FraudCase; txn?: Txn; card?: Card; open?: FraudCase[] };

export class FraudCases {
  readonly #d: FraudCasesDeps;

  constructor(deps: FraudCasesDeps) {
    this.#d = deps;
  }

  /** Opens a case for a flagged payment: holds it, blocks the card, and asks the customer. */
  async open(txn: Txn, card: Card, hits: readonly RuleHit[]): Promise<FraudCase> {
    const { db, links, now, replyTimeoutMs, remindAfterMs } = this.#d;
    const at = now();
    const psid = (await links.psidOf(card.customer_id)) ?? null;
    const row: FraudCase = {
      id: newId('case'),
      txn_id: txn.id,
      card_id: card.id,
      customer_id: card.customer_id,
      psid,
      rules: JSON.stringify(hits),
      status: 'open',
      created_at: at,
      deadline_at: at + replyTimeoutMs,
      answered_at: null,
      message_id: null,
      ref: await this.#freshRef(),
      answer_key: newAnswerKey(),
      remind_at: remindAfterMs < replyTimeoutMs ? at + remindAfterMs : null,
      contacts: 0,
      settled_by: null,
    };
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('alerts').values(row).execute();
      await trx
        .updateTable('cards')
        .set({ status: 'locked', lock_reason: FRAUD_LOCKS.review, locked_at: at })
        .where('id', '=', card.id)
        .execute();
      await trx
        .insertInto('case_events')
        .values({
          case_id: row.id,
          at,
          from_status: null,
          to_status: 'open',
          actor: `rules:${hits.map((h) => h.id).join(',')}`,
          note: `payment ${txn.id} held; card blocked`,
        })
        .execute();
    });
    if (psid === null) {
      await this.#note(row, 'rules', 'no chat linked: customer not contacted in chat (a real bank falls back to SMS)');
      return row;
    }
    const sent = await this.#contact(row, psid, fraudCheckUpdate(row, txn, card, hits), 'fraud_alert');
    if (sent !== undefined) {
      row.message_id = sent;
      row.contacts += 1;
    }
    return row;
  }

  /** The one answer operation of every channel. Never throws for bad input: the result says why. */
  async answer(input: AnswerInput): Promise<AnswerResult> {
    const found = await this.#find(input);
    if (!found.ok) return this.#reject(input, found);
    const fc = found.case;
    if (
      !input.proofless &&
      (input.proof === undefined ||
        fc.answer_key === null ||
        !verifyAnswerProof(fc.answer_key, input.answer, fc.ref ?? '', input.proof))
    ) {
      return this.#reject(input, { ok: false, reason: 'forged' });
    }
    const [txn, card] = await this.#load(fc);
    if (fc.status === 'expired') return this.#reject(input, { ok: false, reason: 'expired', case: fc, txn, card });
    if (fc.status !== 'open') return this.#reject(input, { ok: false, reason: 'replayed', case: fc, txn, card });
    const settled = await this.#settle(
      fc,
      input.answer === 'yes' ? 'genuine' : 'fraud',
      `customer:${input.channel}:${input.sender}`,
    );
    // Lost a race with another answer or the deadline: report what won.
    if (settled === undefined) return this.answer(input);
    const [bookedTxn, nowCard] = await this.#load(settled);
    const result = { ok: true as const, case: settled, txn: bookedTxn, card: nowCard };
    // Answered on another channel: the chat alert is closed with the outcome, so it is not answered twice.
    if (input.channel !== 'chat' && settled.psid !== null) {
      await this.#contact(
        settled,
        settled.psid,
        fraudClosedUpdate(settled, bookedTxn, nowCard),
        'fraud_outcome',
        settled.message_id ?? undefined,
      );
    }
    if (input.confirm !== undefined) {
      await input
        .confirm(result)
        .catch((err: unknown) =>
          this.#d.log.warn(
            { case: settled.ref, err: err instanceof Error ? err.message : String(err) },
            'could not confirm the answer',
          ),
        );
    }
    if (settled.status === 'fraud') await this.#toFraudTeam(settled);
    return result;
  }

  /** Sends due reminders and expires unanswered cases. @returns how many cases expired. */
  async sweep(): Promise<number> {
    const { db, now, maxContacts } = this.#d;
    const at = now();
    const remind = await db
      .selectFrom('alerts')
      .selectAll()
      .where('status', '=', 'open')
      .where('remind_at', '<=', at)
      .execute();
    for (const fc of remind) {
      await db.updateTable('alerts').set({ remind_at: null }).where('id', '=', fc.id).execute();
      if (fc.psid === null || fc.contacts >= maxContacts - 1) continue; // keep the last contact for the outcome
      const [txn, card] = await this.#load(fc);
      await this.#contact(fc, fc.psid, fraudReminderUpdate(fc, txn, card, fc.deadline_at - at), 'fraud_reminder');
    }
    const due = await db
      .selectFrom('alerts')
      .selectAll()
      .where('status', '=', 'open')
      .where('deadline_at', '<=', at)
      .execute();
    let expired = 0;
    for (const fc of due) {
      const settled = await this.#settle(fc, 'expired', 'deadline');
      if (settled === undefined) continue;
      expired++;
      if (settled.psid !== null && settled.contacts < maxContacts) {
        const [txn, card] = await this.#load(settled);
        // Replying to the alert closes its question in the customer's app.
        await this.#contact(
          settled,
          settled.psid,
          fraudExpiredUpdate(settled, txn, card),
          'fraud_expired',
          settled.message_id ?? undefined,
        );
      }
    }
    return expired;
  }

  /** Whether a payment is held (or was declined) by a case, so it must not be booked. */
  async holds(txnId: string): Promise<boolean> {
    const row = await this.#d.db
      .selectFrom('alerts')
      .select('id')
      .where('txn_id', '=', txnId)
      .where('status', 'in', ['open', 'fraud', 'expired'])
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The customer's open cases, newest first. */
  openCasesOf(customerId: string): Promise<FraudCase[]> {
    return this.#d.db
      .selectFrom('alerts')
      .selectAll()
      .where('customer_id', '=', customerId)
      .where('status', '=', 'open')
      .orderBy('created_at', 'desc')
      .execute();
  }

  /** The latest case of a card (for unlock decisions). */
  latestCaseOf(cardId: string): Promise<FraudCase | undefined> {
    return this.#d.db
      .selectFrom('alerts')
      .selectAll()
      .where('card_id', '=', cardId)
      .where('ref', 'is not', null)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
  }

  /** The case history, oldest first. */
  history(caseId: string) {
    return this.#d.db.selectFrom('case_events').selectAll().where('case_id', '=', caseId).orderBy('id').execute();
  }

  /** Records a history entry without a transition (contacts, step-ups, hand-overs). */
  async note(caseId: string, actor: string, note: string): Promise<void> {
    const fc = await this.#d.db.selectFrom('alerts').selectAll().where('id', '=', caseId).executeTakeFirst();
    if (fc !== undefined) await this.#note(fc, actor, note);
  }

  async #find(
    input: AnswerInput,
  ): Promise<{ ok: true; case: FraudCase } | { ok: false; reason: RejectReason; open?: FraudCase[] }> {
    const { db } = this.#d;
    if (input.ref === undefined) {
      if (input.customerId === undefined) return { ok: false, reason: 'none_open' };
      const open = await this.openCasesOf(input.customerId);
      if (open.length === 0) return { ok: false, reason: 'none_open' };
      if (open.length > 1) return { ok: false, reason: 'ambiguous', open };
      return { ok: true, case: open[0] as FraudCase };
    }
    const fc = await db.selectFrom('alerts').selectAll().where('ref', '=', input.ref).executeTakeFirst();
    if (fc === undefined) return { ok: false, reason: 'unknown' };
    if (input.customerId === undefined || fc.customer_id !== input.customerId) return { ok: false, reason: 'foreign' };
    return { ok: true, case: fc };
  }

  async #reject(input: AnswerInput, result: Extract<AnswerResult, { ok: false }>): Promise<AnswerResult> {
    const ref = result.case?.ref ?? input.ref ?? null;
    await this.#d.db
      .insertInto('answer_rejections')
      .values({ at: this.#d.now(), channel: input.channel, sender: input.sender, ref, reason: result.reason })
      .execute();
    this.#d.log.info(
      { channel: input.channel, sender: input.sender, ref, reason: result.reason },
      'fraud answer changed nothing',
    );
    return result;
  }

  /** One transition, only from `open` (so concurrent answers and the deadline cannot both win), with its effects. */
  async #settle(fc: FraudCase, to: 'genuine' | 'fraud' | 'expired', actor: string): Promise<FraudCase | undefined> {
    const { db, ledger, now } = this.#d;
    const at = now();
    const won = await db.transaction().execute(async (trx) => {
      const res = await trx
        .updateTable('alerts')
        .set({ status: to, answered_at: to === 'expired' ? null : at, settled_by: actor, remind_at: null })
        .where('id', '=', fc.id)
        .where('status', '=', 'open')
        .executeTakeFirst();
      if (res.numUpdatedRows === 0n) return false;
      const notes: Record<typeof to, string> = {
        genuine: 'payment released; card unblocked',
        fraud: 'payment declined; card stays blocked; replacement ordered',
        expired: 'no answer in time: payment declined; card soft-locked',
      };
      await trx
        .insertInto('case_events')
        .values({ case_id: fc.id, at, from_status: 'open', to_status: to, actor, note: notes[to] })
        .execute();
      if (to === 'genuine') {
        await trx
          .updateTable('cards')
          .set({ status: 'active', lock_reason: null, locked_at: null })
          .where('id', '=', fc.card_id)
          .where('lock_reason', '=', FRAUD_LOCKS.review)
          .execute();
      } else {
        await trx
          .updateTable('transactions')
          .set({ status: 'rejected' })
          .where('id', '=', fc.txn_id)
          .where('status', '=', 'pending')
          .execute();
        const reason = to === 'fraud' ? FRAUD_LOCKS.confirmed : FRAUD_LOCKS.expired;
        await trx
          .updateTable('cards')
          .set({ status: 'locked', lock_reason: reason, locked_at: at })
          .where('id', '=', fc.card_id)
          .execute();
        if (to === 'fraud')
          await trx
            .insertInto('card_replacements')
            .values({ id: newId('repl'), card_id: fc.card_id, case_id: fc.id, ordered_at: at })
            .execute();
      }
      return true;
    });
    if (!won) return undefined;
    const settled = await db.selectFrom('alerts').selectAll().where('id', '=', fc.id).executeTakeFirstOrThrow();
    if (to === 'genuine') await ledger.book(fc.txn_id, at);
    return settled;
  }

  async #toFraudTeam(fc: FraudCase): Promise<void> {
    const { db, ledger, platform, now, log } = this.#d;
    const txn = await db.selectFrom('transactions').selectAll().where('id', '=', fc.txn_id).executeTakeFirstOrThrow();
    await ledger.markTerminalCompromised(txn.terminal_id, `customer reported fraud (case ${fc.ref})`, now());
    if (fc.psid === null) return;
    try {
      // The hub's inbox routes JSON metadata naming a team to that team's agents and shows the reason.
      const reason = `fraud_case=${fc.ref} card=${fc.card_id} txn=${fc.txn_id} replacement=ordered`;
      await platform.handover.passToInbox(fc.psid, JSON.stringify({ team: 'Fraud', reason, case_ref: fc.ref }));
      await this.#note(fc, 'bank', 'handed to the fraud team (agent inbox)');
    } catch (err) {
      log.warn(
        { case: fc.ref, err: err instanceof Error ? err.message : String(err) },
        'could not hand the case to the inbox',
      );
      await this.#note(fc, 'bank', 'hand-over to the fraud team failed; queued for the back office');
    }
  }

  /** A proactive contact, within the cap. @returns the message id when sent. */
  async #contact(
    fc: FraudCase,
    psid: string,
    update: UtilityUpdate,
    context: string,
    replyTo?: string,
  ): Promise<string | undefined> {
    const { db, sender, maxContacts } = this.#d;
    const claimed = await db
      .updateTable('alerts')
      .set({ contacts: sql`contacts + 1` })
      .where('id', '=', fc.id)
      .where('contacts', '<', maxContacts)
      .executeTakeFirst();
    if (claimed.numUpdatedRows === 0n) return undefined;
    const outcome = await sender.send(psid, update, {
      context: `${context}:${fc.ref}`,
      ...(replyTo === undefined ? {} : { replyTo }),
    });
    if (outcome.status === 'sent') {
      if (context === 'fraud_alert')
        await db
          .updateTable('alerts')
          .set({ message_id: outcome.messageId ?? null })
          .where('id', '=', fc.id)
          .execute();
      await this.#note(fc, 'bank', `${context} sent in chat`);
      return outcome.messageId ?? '';
    }
    await db
      .updateTable('alerts')
      .set({ contacts: sql`contacts - 1` })
      .where('id', '=', fc.id)
      .execute();
    await this.#note(fc, 'bank', `${context} not delivered (${outcome.status})`);
    return undefined;
  }

  async #note(fc: FraudCase, actor: string, note: string): Promise<void> {
    await this.#d.db
      .insertInto('case_events')
      .values({ case_id: fc.id, at: this.#d.now(), from_status: fc.status, to_status: fc.status, actor, note })
      .execute();
  }

  async #load(fc: FraudCase): Promise<[Txn, Card]> {
    const txn = await this.#d.db
      .selectFrom('transactions')
      .selectAll()
      .where('id', '=', fc.txn_id)
      .executeTakeFirstOrThrow();
    const card = await this.#d.ledger.card(fc.card_id);
    if (card === undefined) throw new Error(`Card ${fc.card_id} of case ${fc.ref} is gone`);
    return [txn, card];
  }

  async #freshRef(): Promise<string> {
    for (;;) {
      const ref = newCaseRef();
      const taken = await this.#d.db.selectFrom('alerts').select('id').where('ref', '=', ref).executeTakeFirst();
      if (taken === undefined) return ref;
    }
  }
}

/**
 * The SMS step of the escalation ladder (worker role): in-app at once → push (features/push)
 * → a text after the page's policy delay (default SMS_AFTER_MS) if it is still unanswered and
 * the case's contacts, counted (features/escalation/contacts.ts), leave room → nothing more.
 * Steps are rows leased by the shared poll loop (storage/polling-worker.ts), so a restart resumes
 * the ladder and several processes never text twice. The first answer on any channel (app,
 * notification, SMS) ends it. Every attempt is audited (channel, category, page, outcome; never
 * the text or the number).
 */
import type { HubContext } from '../../context.js';
import { appendAudit } from '../../privacy/audit-log.js';
import { answerRoles } from './answer-roles.js';
import { policyFor } from '../escalation/policies.js';
import { mayContact, recordContact } from '../escalation/contacts.js';
import { PollingWorker } from '../../storage/polling-worker.js';
import { retryDelayMs } from '../webhooks/backoff.js';
import type { Phones } from './phones.js';
import type { SmsProvider } from './provider.js';
import { alertText, caseRef } from './texts.js';
import { newId } from '../../crypto/tokens.js';

const BATCH = 50;
const LEASE_MS = 30_000;
const MAX_ATTEMPTS = 3;

type Job = {
  id: string;
  customer_id: string;
  conversation_id: string;
  page_id: string;
  message_mid: string;
  category: string;
  attempts: number;
  created_at: number;
};

export class SmsWorker {
  readonly #ctx: HubContext;
  readonly #sms: SmsProvider;
  readonly #phones: Phones;
  readonly #poll: PollingWorker;

  constructor(ctx: HubContext, sms: SmsProvider, phones: Phones, pollMs: number) {
    this.#ctx = ctx;
    this.#sms = sms;
    this.#phones = phones;
    this.#poll = new PollingWorker({
      name: 'sms',
      storage: ctx.storage,
      log: ctx.log,
      now: ctx.now,
      table: 'sms_jobs',
      pollMs,
      batch: BATCH,
      leaseMs: LEASE_MS,
      work: (id, now) => this.#workOne(id, now),
    });
  }

  start(): this {
    this.#poll.start();
    return this;
  }

  stop(): Promise<void> {
    return this.#poll.stop();
  }

  /** Works every step due now; answers how many were looked at. */
  tick(): Promise<number> {
    return this.#poll.tick();
  }

  async #workOne(id: string, now: number): Promise<void> {
    const row = await this.#ctx.storage.db.selectFrom('sms_jobs').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) return;
    await this.#work({ ...row, attempts: Number(row.attempts), created_at: Number(row.created_at) }, now);
  }

  async #work(job: Job, now: number): Promise<void> {
    const policy = await policyFor(this.#ctx.storage.db, this.#ctx.config, job.page_id, job.category);
    // Only where the page's policy has a text, and while the case's contacts, counted, leave room.
    if (policy.sms_after_ms === null) return this.#done(job.id);
    const textAt = job.created_at + policy.sms_after_ms;
    if (now < textAt) {
      await this.#ctx.storage.writes.run((tx) =>
        tx.db.updateTable('sms_jobs').set({ due_at: textAt, lease_until: 0 }).where('id', '=', job.id).execute(),
      );
      return;
    }
    const target = await this.#target(job, now);
    const room = await mayContact(
      this.#ctx.storage.db,
      { mid: job.message_mid, channel: 'sms', step: job.id },
      policy.max_contacts,
    );
    if (target === null || !room) return this.#done(job.id);
    const ref = caseRef(job.message_mid);
    let sid: string | null = null;
    try {
      sid = (
        await this.#sms.send(
          target.phone,
          alertText(target.pageName, ref, target.byText),
          `${this.#ctx.config.publicUrl}/sms/status`,
        )
      ).sid;
    } catch {
      sid = null;
    }
    await this.#settle(job, { sid, ref, phoneId: target.phoneId }, now);
  }

  /** Audits the attempt; a text sent is recorded (YES/NO replies find it) and counted as a contact. */
  async #settle(job: Job, sent: { sid: string | null; ref: string; phoneId: string }, now: number): Promise<void> {
    const { sid } = sent;
    const attempts = job.attempts + 1;
    const outcome = sid !== null ? 'sent' : attempts >= MAX_ATTEMPTS ? 'failed' : 'retry';
    await this.#ctx.storage.writes.run(async (tx) => {
      await appendAudit(tx.db, {
        at: now,
        actor: 'hub:sms',
        action: 'notification.sms',
        customerId: job.customer_id,
        target: job.page_id,
        details: {
          channel: 'sms',
          direction: 'out',
          category: job.category,
          page_id: job.page_id,
          outcome,
          attempt: attempts,
        },
      });
      if (outcome === 'retry') {
        const dueAt = now + retryDelayMs(attempts, { baseMs: 5_000, capMs: 60_000 });
        await tx.db
          .updateTable('sms_jobs')
          .set({ attempts, due_at: dueAt, lease_until: 0 })
          .where('id', '=', job.id)
          .execute();
        return;
      }
      await tx.db.deleteFrom('sms_jobs').where('id', '=', job.id).execute();
      if (sid === null) return;
      await tx.db
        .insertInto('sms_sends')
        .values({
          id: newId('ss'),
          sid,
          customer_id: job.customer_id,
          phone_id: sent.phoneId,
          conversation_id: job.conversation_id,
          page_id: job.page_id,
          message_mid: job.message_mid,
          case_ref: sent.ref,
          status: 'queued',
          sent_at: now,
        })
        .execute();
      const { message_mid: mid, conversation_id: conversationId, customer_id: customerId } = job;
      await recordContact(tx, { mid, conversationId, customerId, channel: 'sms', step: job.id }, now);
    });
  }

  /** Where and what to text, or null when the ladder ends here (answered, closed, no consent, no number, STOP). */
  async #target(
    job: Job,
    now: number,
  ): Promise<{ phone: string; phoneId: string; pageName: string; byText: boolean } | null> {
    const db = this.#ctx.storage.db;
    const message = await db
      .selectFrom('messages')
      .select(['body', 'awaits_answer', 'answered_button', 'closed_at'])
      .where('mid', '=', job.message_mid)
      .where('conversation_id', '=', job.conversation_id)
      .executeTakeFirst();
    if (
      message === undefined ||
      message.awaits_answer !== 1 ||
      message.answered_button !== null ||
      message.closed_at !== null
    )
      return null;
    const state = await db
      .selectFrom('consent_state')
      .select(['status', 'categories', 'expires_at'])
      .where('customer_id', '=', job.customer_id)
      .where('page_id', '=', job.page_id)
      .executeTakeFirst();
    if (state?.status !== 'active' || state.expires_at === null || Number(state.expires_at) <= now) return null;
    if (!(JSON.parse(state.categories) as string[]).includes(job.category)) return null;
    const phone = await db
      .selectFrom('sms_phones')
      .selectAll()
      .where('customer_id', '=', job.customer_id)
      .executeTakeFirst();
    if (phone === undefined || phone.verified_at === null || phone.opted_out === 1) return null;
    // YES and NO only where the question declares which postback each means (answer-roles.ts);
    // any other question is texted to say it waits in the app.
    const body = await this.#ctx.storage.vault.openMessage(
      { purpose: 'deliver_to_customer', actor: 'hub:sms' },
      job.customer_id,
      message.body,
    );
    const page = await db.selectFrom('pages').select('name').where('id', '=', job.page_id).executeTakeFirst();
    return {
      phone: this.#phones.openPhone(phone.id, phone.sealed),
      phoneId: phone.id,
      pageName: page?.name ?? 'Your bank',
      byText: answerRoles(body) !== null,
    };
  }

  async #done(id: string): Promise<void> {
    await this.#ctx.storage.writes.run((tx) => tx.db.deleteFrom('sms_jobs').where('id', '=', id).execute());
  }
}

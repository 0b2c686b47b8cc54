/**
 * Texts from customers' phones (the carrier's inbound webhook, signature already checked):
 * STOP (and STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT) turns texts off for the number and
 * confirms; START (UNSTOP) turns them on again; HELP (INFO) answers with the page's name and
 * how to reach it; YES / NO answers the latest question texted to the number, through the
 * chat's own answer path (a customer postback naming the question), with the postback the
 * question declares for that answer (answer-roles.ts); a question that declares none is not
 * answered, and the reply says so. Anything else gets the instructions again.
 */
import { PlatformError } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { appendAudit } from '../../privacy/audit-log.js';
import type { Conversations } from '../conversations/index.js';
import { answerRoles } from './answer-roles.js';
import type { Phones } from './phones.js';
import type { SmsProvider } from './provider.js';
import { answeredText, helpText, noQuestionText, notByTextText, startText, stopText, unclearText } from './texts.js';

const STOP = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const START = new Set(['START', 'UNSTOP']);
const HELP = new Set(['HELP', 'INFO']);
const YES = new Set(['YES', 'Y']);
const NO = new Set(['NO', 'N']);

export type InboundOutcome = 'stopped' | 'started' | 'help' | 'answered' | 'not_by_text' | 'no_question' | 'unclear';

export class SmsInbound {
  readonly #ctx: HubContext;
  readonly #phones: Phones;
  readonly #sms: SmsProvider;
  readonly #conversations: Conversations;

  constructor(ctx: HubContext, phones: Phones, sms: SmsProvider, conversations: Conversations) {
    this.#ctx = ctx;
    this.#phones = phones;
    this.#sms = sms;
    this.#conversations = conversations;
  }

  /** @throws PlatformError `NOT_FOUND` for a number no customer has verified. */
  async receive(from: string, body: string): Promise<InboundOutcome> {
    const db = this.#ctx.storage.db;
    const phone = await db
      .selectFrom('sms_phones')
      .selectAll()
      .where('phone_hash', '=', this.#phones.hashOf(from))
      .executeTakeFirst();
    if (phone === undefined || phone.verified_at === null)
      throw new PlatformError('NOT_FOUND', { message: 'Unknown number.' });
    const word =
      body
        .trim()
        .toUpperCase()
        .replace(/[^A-Z ]/g, '')
        .split(/\s+/)[0] ?? '';
    const reply = (text: string) => this.#sms.send(from, text, `${this.#ctx.config.publicUrl}/sms/status`);
    const last = await db
      .selectFrom('sms_sends as s')
      .innerJoin('pages as p', 'p.id', 's.page_id')
      .select(['s.message_mid', 's.conversation_id', 's.case_ref', 's.page_id', 'p.name'])
      .where('s.phone_id', '=', phone.id)
      .orderBy('s.sent_at', 'desc')
      .limit(1)
      .executeTakeFirst();

    let outcome: InboundOutcome;
    if (STOP.has(word)) {
      await this.#setOptOut(phone.id, 1);
      await reply(stopText());
      outcome = 'stopped';
    } else if (START.has(word)) {
      await this.#setOptOut(phone.id, 0);
      await reply(startText());
      outcome = 'started';
    } else if (HELP.has(word)) {
      await reply(helpText(last?.name ?? null));
      outcome = 'help';
    } else if (YES.has(word) || NO.has(word)) {
      outcome = await this.#yesNo(phone.customer_id, last, YES.has(word), reply);
    } else {
      await reply(unclearText());
      outcome = 'unclear';
    }
    await this.#ctx.storage.writes.run((tx) =>
      appendAudit(tx.db, {
        at: this.#ctx.now(),
        actor: `customer:${phone.customer_id}`,
        action: 'notification.sms',
        customerId: phone.customer_id,
        target: last?.page_id ?? null,
        details: { channel: 'sms', direction: 'in', outcome },
      }),
    );
    return outcome;
  }

  /** A YES or NO to the latest question texted to the number, answered and confirmed by text. */
  async #yesNo(
    customerId: string,
    last: { conversation_id: string; message_mid: string; name: string; case_ref: string } | undefined,
    yes: boolean,
    reply: (text: string) => Promise<unknown>,
  ): Promise<InboundOutcome> {
    const answered =
      last === undefined
        ? 'closed'
        : await this.#answer(customerId, last.conversation_id, last.message_mid, yes ? 'yes' : 'no');
    if (answered === 'answered' && last !== undefined) await reply(answeredText(last.name, last.case_ref, yes));
    else if (answered === 'undeclared' && last !== undefined) await reply(notByTextText(last.name, last.case_ref));
    else await reply(noQuestionText());
    return answered === 'answered' ? 'answered' : answered === 'undeclared' ? 'not_by_text' : 'no_question';
  }

  async #setOptOut(id: string, value: 0 | 1): Promise<void> {
    await this.#ctx.storage.writes.run(async (tx) => {
      await tx.db.updateTable('sms_phones').set({ opted_out: value }).where('id', '=', id).execute();
      if (value === 1) {
        const row = await tx.db
          .selectFrom('sms_phones')
          .select('customer_id')
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        await tx.db.deleteFrom('sms_jobs').where('customer_id', '=', row.customer_id).execute();
      }
    });
  }

  /**
   * Answers with the postback the question declares for `role`, if it is still open: `closed` when
   * there is nothing to answer, `undeclared` when the question does not say which button that is.
   */
  async #answer(
    customerId: string,
    conversationId: string,
    mid: string,
    role: 'yes' | 'no',
  ): Promise<'answered' | 'closed' | 'undeclared'> {
    const row = await this.#ctx.storage.db
      .selectFrom('messages')
      .select(['body', 'awaits_answer', 'answered_button', 'closed_at'])
      .where('mid', '=', mid)
      .where('conversation_id', '=', conversationId)
      .executeTakeFirst();
    if (row === undefined || row.awaits_answer !== 1 || row.answered_button !== null || row.closed_at !== null)
      return 'closed';
    const body = await this.#ctx.storage.vault.openMessage(
      { purpose: 'deliver_to_customer', actor: `customer:${customerId}` },
      customerId,
      row.body,
    );
    const roles = answerRoles(body);
    if (roles === null) return 'undeclared';
    const button = roles[role];
    await this.#conversations.send(customerId, conversationId, {
      postback: { title: button.title, payload: button.payload, message_mid: mid },
    });
    return 'answered';
  }
}

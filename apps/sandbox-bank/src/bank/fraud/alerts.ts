/**
 * The fraud-alert case flow of reference §7.2: raise an alert in chat ("Was this you?"),
 * act on the answer (genuine / not me → lock + human agent / lock), and soft-lock the
 * card when nobody answers before the deadline.
 */
import type { Platform } from '@confide/sdk';
import type { Kysely, Selectable } from 'kysely';
import type { Logger } from 'pino';
import { newId } from '../../common/ids.js';
import type { ProactiveSender } from '../../common/proactive.js';
import type { Card, Ledger, Txn } from '../ledger.js';
import type { Links } from '../linking/links.js';
import { fraudAlertMessage, fraudReportedText, genuineText, lockedByCustomerText, softLockMessage, type FraudAnswer } from '../messages.js';
import type { AlertsTable, BankDatabase } from '../schema.js';
import type { RuleHit } from './rules.js';

export type Alert = Selectable<AlertsTable>;

/** Dependencies of {@link FraudAlerts}. */
export interface FraudAlertsDeps {
  db: Kysely<BankDatabase>;
  ledger: Ledger;
  links: Links;
  platform: Platform;
  sender: ProactiveSender;
  log: Logger;
  now: () => number;
  /** How long the customer has to answer before the card is soft-locked. */
  replyTimeoutMs: number;
}

export class FraudAlerts {
  readonly #d: FraudAlertsDeps;

  constructor(deps: FraudAlertsDeps) {
    this.#d = deps;
  }

  /**
   * Opens an alert for a flagged transaction and asks the customer in chat. While an
   * alert on the same card is open, further hits are recorded as `suppressed`.
   */
  async raise(txn: Txn, card: Card, hits: readonly RuleHit[]): Promise<Alert> {
    const { db, links, sender, now, replyTimeoutMs } = this.#d;
    const at = now();
    const open = await db.selectFrom('alerts').select('id').where('card_id', '=', card.id).where('status', '=', 'open').executeTakeFirst();
    const psid = (await links.psidOf(card.customer_id)) ?? null;
    const alert: Alert = {
      id: newId('alr'),
      txn_id: txn.id,
      card_id: card.id,
      customer_id: card.customer_id,
      psid,
      rules: JSON.stringify(hits),
      status: open !== undefined ? 'suppressed' : 'open',
      created_at: at,
      deadline_at: at + replyTimeoutMs,
      answered_at: null,
      message_id: null,
    };
    if (alert.status === 'open') {
      if (psid === null) {
        alert.status = 'undelivered';
        this.#d.log.info({ alert: alert.id, customer: card.customer_id }, 'fraud alert not sent: customer has not linked chat (a real bank falls back to SMS)');
      } else {
        // Insert first so a fast answer finds the alert.
        await db.insertInto('alerts').values(alert).execute();
        const outcome = await sender.send(psid, fraudAlertMessage(alert.id, txn, card, hits), {
          tag: 'ACCOUNT_UPDATE',
          category: 'fraud_alerts',
          context: `fraud_alert:${alert.id}`,
        });
        if (outcome.status === 'sent') alert.message_id = outcome.messageId ?? null;
        else alert.status = 'undelivered';
        await db.updateTable('alerts').set({ status: alert.status, message_id: alert.message_id }).where('id', '=', alert.id).execute();
        return alert;
      }
    }
    await db.insertInto('alerts').values(alert).execute();
    return alert;
  }

  /** Handles a quick-reply answer from the PSID the alert was sent to. */
  async answer(psid: string, alertId: string, answer: FraudAnswer): Promise<void> {
    const { db, ledger, platform, now, log } = this.#d;
    const alert = await db.selectFrom('alerts').selectAll().where('id', '=', alertId).executeTakeFirst();
    if (alert === undefined || alert.psid !== psid) {
      await platform.messages.sendText(psid, 'I couldn\'t find that alert. Say "agent" if something looks wrong.');
      return;
    }
    const [txn, card] = await Promise.all([
      db.selectFrom('transactions').selectAll().where('id', '=', alert.txn_id).executeTakeFirstOrThrow(),
      ledger.card(alert.card_id),
    ]);
    if (card === undefined) throw new Error(`Card ${alert.card_id} of alert ${alert.id} is gone`);
    if (alert.status !== 'open' && alert.status !== 'soft_locked') {
      await platform.messages.sendText(psid, 'You already answered this alert, thanks. Say "agent" if you need help.');
      return;
    }
    const at = now();
    if (answer === 'yes') {
      const unlock = alert.status === 'soft_locked' && card.status === 'locked' && card.lock_reason === 'no_reply';
      if (unlock) await ledger.unlockCard(card.id);
      await this.#setStatus(alert.id, 'genuine', at);
      await platform.messages.sendText(psid, genuineText(txn, card, unlock));
    } else if (answer === 'lock') {
      await ledger.lockCard(card.id, 'customer', at);
      await this.#setStatus(alert.id, 'locked_by_customer', at);
      await platform.messages.sendText(psid, lockedByCustomerText(card));
    } else {
      await ledger.lockCard(card.id, 'fraud_reported', at);
      await ledger.markTerminalCompromised(txn.terminal_id, `customer reported fraud (alert ${alert.id})`, at);
      await this.#setStatus(alert.id, 'fraud_reported', at);
      await platform.messages.sendText(psid, fraudReportedText(card));
      await platform.handover.passToInbox(psid, `fraud_reported alert=${alert.id} card=${card.id} txn=${txn.id}`);
      log.info({ alert: alert.id, card: card.id }, 'fraud reported: card locked, thread passed to the inbox');
    }
  }

  /** Soft-locks cards whose alert went unanswered past its deadline. @returns how many. */
  async sweep(): Promise<number> {
    const { db, ledger, sender, now } = this.#d;
    const at = now();
    const due = await db.selectFrom('alerts').selectAll().where('status', '=', 'open').where('deadline_at', '<=', at).execute();
    for (const alert of due) {
      const card = await ledger.card(alert.card_id);
      const txn = await db.selectFrom('transactions').selectAll().where('id', '=', alert.txn_id).executeTakeFirst();
      if (card === undefined || txn === undefined) continue;
      if (card.status === 'active') await ledger.lockCard(card.id, 'no_reply', at);
      await db.updateTable('alerts').set({ status: 'soft_locked' }).where('id', '=', alert.id).where('status', '=', 'open').execute();
      if (alert.psid !== null) {
        await sender.send(alert.psid, softLockMessage(alert.id, txn, card), {
          tag: 'ACCOUNT_UPDATE',
          category: 'fraud_alerts',
          context: `fraud_soft_lock:${alert.id}`,
        });
      }
    }
    return due.length;
  }

  /** The latest alert still waiting for this PSID's answer (for typed "yes"/"no"). */
  async pendingFor(psid: string): Promise<Alert | undefined> {
    return this.#d.db
      .selectFrom('alerts')
      .selectAll()
      .where('psid', '=', psid)
      .where('status', 'in', ['open', 'soft_locked'])
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
  }

  async #setStatus(alertId: string, status: Alert['status'], at: number): Promise<void> {
    await this.#d.db.updateTable('alerts').set({ status, answered_at: at }).where('id', '=', alertId).execute();
  }
}

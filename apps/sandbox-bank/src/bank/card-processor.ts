/**
 * Card authorisation and booking: the path every simulated purchase takes. Declines on
 * locked cards, runs the fraud rules, raises alerts, and sends transaction and
 * low-balance updates (each under its own consent category).
 */
import type { Logger } from 'pino';
import type { ProactiveSender } from '../common/proactive.js';
import type { FraudCase, FraudCases } from './fraud/cases.js';
import { evaluateRules, type RuleHit } from './fraud/rules.js';
import type { Card, Ledger, Txn } from './ledger.js';
import type { Links } from './linking/links.js';
import type { SimPurchase } from './simulator/simulator.js';
import { lowBalanceUpdate, transactionUpdate } from './templates.js';

/** Dependencies of {@link CardProcessor}. */
export interface CardProcessorDeps {
  ledger: Ledger;
  links: Links;
  cases: FraudCases;
  sender: ProactiveSender;
  log: Logger;
  now: () => number;
  /** Send a `transactions` update for every purchase that raised no alert. */
  notifyTransactions: boolean;
}

/** What one authorisation did. */
export interface AuthorizationResult {
  txn: Txn;
  hits: RuleHit[];
  /** The fraud case the payment opened (then it is held, not booked). */
  alert: FraudCase | undefined;
}

export class CardProcessor {
  readonly #d: CardProcessorDeps;

  constructor(deps: CardProcessorDeps) {
    this.#d = deps;
  }

  /** Authorises a purchase: records it, scores it, tells the customer. */
  async authorize(purchase: SimPurchase): Promise<AuthorizationResult> {
    const { ledger, cases } = this.#d;
    const card = await ledger.card(purchase.cardId);
    if (card === undefined) throw new Error(`Unknown card ${purchase.cardId}`);
    const customer = await ledger.customer(card.customer_id);
    if (customer === undefined) throw new Error(`Card ${card.id} has no customer`);

    const [history, compromised] = await Promise.all([ledger.cardHistory(card.id), ledger.compromisedTerminals()]);
    const txn = await ledger.authorize(purchase, card);
    if (txn.status === 'rejected') {
      await this.#notice(txn, card);
      return { txn, hits: [], alert: undefined };
    }
    const hits = evaluateRules({
      txn: { ...purchase, cardId: card.id },
      history,
      homeCountry: customer.home_country,
      compromisedTerminals: compromised,
    });
    let alert: FraudCase | undefined;
    if (hits.length > 0) {
      alert = await cases.open(txn, card, hits);
      this.#d.log.info(
        { txn: txn.id, card: card.id, rules: hits.map((h) => h.id), case: alert.ref },
        'fraud rules fired: payment held, case opened',
      );
    } else if (this.#d.notifyTransactions) {
      await this.#notice(txn, card);
    }
    await this.checkLowBalance(card.account_id);
    return { txn, hits, alert };
  }

  /** Books a pending transaction (unless a fraud case holds it) and re-checks the low-balance alert. */
  async book(pendingId: string): Promise<Txn | undefined> {
    if (await this.#d.cases.holds(pendingId)) return undefined;
    const booked = await this.#d.ledger.book(pendingId, this.#d.now());
    if (booked !== undefined) await this.checkLowBalance(booked.account_id);
    return booked;
  }

  /** Sends a `balances` update once when the available balance drops below the threshold. */
  async checkLowBalance(accountId: string): Promise<void> {
    const { ledger, links, sender } = this.#d;
    const account = await ledger.account(accountId);
    if (account === undefined || account.lowBalanceThresholdMinor === null || account.kind === 'card') return;
    const below = account.availableMinor < account.lowBalanceThresholdMinor;
    const notified = await ledger.lowBalanceNotified(accountId);
    if (!below) {
      if (notified) await ledger.setLowBalanceNotified(accountId, false);
      return;
    }
    if (notified) return;
    await ledger.setLowBalanceNotified(accountId, true);
    const owner = await ledger.db
      .selectFrom('accounts')
      .select('customer_id')
      .where('id', '=', accountId)
      .executeTakeFirstOrThrow();
    const psid = await links.psidOf(owner.customer_id);
    if (psid === undefined) return;
    await sender.send(psid, lowBalanceUpdate(account), { context: `low_balance:${accountId}` });
  }

  /** A `transactions` update about one purchase (pending, or declined on a locked card). */
  async #notice(txn: Txn, card: Card): Promise<void> {
    const psid = await this.#d.links.psidOf(card.customer_id);
    if (psid === undefined) return;
    await this.#d.sender.send(psid, transactionUpdate(txn, card), { context: `transaction:${txn.id}` });
  }
}

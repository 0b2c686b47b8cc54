/**
 * The bank's ledger over its SQLite tables: balances, card transactions (pending, then a
 * booked row that supersedes it, reference §3), card locks and customer settings.
 */
import { maskedCard } from '../common/pan.js';
import type { Kysely, Selectable } from 'kysely';
import { newId } from '../common/ids.js';
import type { HistoryTxn } from './fraud/rules.js';
import type { AccountsTable, BankDatabase, CardsTable, TransactionsTable } from './schema.js';
import type { SimCard, SimPurchase } from './simulator/simulator.js';

export type Txn = Selectable<TransactionsTable>;
export type Card = Selectable<CardsTable>;

/** An account with both balances of reference §3. */
export interface AccountView {
  id: string;
  kind: AccountsTable['kind'];
  name: string;
  mask: string;
  currency: string;
  bookedMinor: number;
  availableMinor: number;
  lowBalanceThresholdMinor: number | null;
}

export class Ledger {
  readonly db: Kysely<BankDatabase>;

  constructor(db: Kysely<BankDatabase>) {
    this.db = db;
  }

  customer(id: string) {
    return this.db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
  }

  customerByUsername(username: string) {
    return this.db
      .selectFrom('customers')
      .selectAll()
      .where('username', '=', username.trim().toLowerCase())
      .executeTakeFirst();
  }

  /** Pending rows that no booked row has replaced yet. */
  #openPending() {
    return this.db
      .selectFrom('transactions')
      .where('status', '=', 'pending')
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('transactions as b').select('b.id').whereRef('b.supersedes', '=', 'transactions.id'))),
      );
  }

  async accounts(customerId: string): Promise<AccountView[]> {
    const rows = await this.db
      .selectFrom('accounts')
      .selectAll()
      .where('customer_id', '=', customerId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const views: AccountView[] = [];
    for (const a of rows) views.push(await this.#view(a));
    return views;
  }

  async account(accountId: string): Promise<AccountView | undefined> {
    const a = await this.db.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirst();
    return a === undefined ? undefined : this.#view(a);
  }

  async #view(a: Selectable<AccountsTable>): Promise<AccountView> {
    const pending = await this.#openPending()
      .where('account_id', '=', a.id)
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount_minor'), eb.val(0)).as('sum'))
      .executeTakeFirstOrThrow();
    // A card account is known by its card's number (the same •••• 1234 as in card messages).
    const card =
      a.kind === 'card'
        ? await this.db
            .selectFrom('cards')
            .select('last4')
            .where('account_id', '=', a.id)
            .orderBy('id')
            .executeTakeFirst()
        : undefined;
    return {
      id: a.id,
      kind: a.kind,
      name: a.name,
      mask: card === undefined ? `•••• ${a.display_mask.replace(/\D/g, '').slice(-4)}` : maskedCard(card.last4),
      currency: a.currency,
      bookedMinor: a.booked_minor,
      availableMinor: a.booked_minor + Number(pending.sum) + (a.credit_limit_minor ?? 0),
      lowBalanceThresholdMinor: a.low_balance_threshold_minor,
    };
  }

  cards(customerId: string): Promise<Card[]> {
    return this.db.selectFrom('cards').selectAll().where('customer_id', '=', customerId).orderBy('id').execute();
  }

  card(cardId: string): Promise<Card | undefined> {
    return this.db.selectFrom('cards').selectAll().where('id', '=', cardId).executeTakeFirst();
  }

  /** Latest transactions of a customer, without pending rows already booked; `offset` pages on ("more"). */
  recentTransactions(customerId: string, limit: number, offset = 0): Promise<(Txn & { last4: string | null })[]> {
    return this.db
      .selectFrom('transactions')
      .innerJoin('accounts', 'accounts.id', 'transactions.account_id')
      .leftJoin('cards', 'cards.id', 'transactions.card_id')
      .selectAll('transactions')
      .select('cards.last4')
      .where('accounts.customer_id', '=', customerId)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('transactions as b').select('b.id').whereRef('b.supersedes', '=', 'transactions.id'))),
      )
      .orderBy('transactions.occurred_at', 'desc')
      .orderBy('transactions.id')
      .limit(limit)
      .offset(offset)
      .execute();
  }

  /**
   * The card's latest purchases for the fraud rules: declined and superseded rows are
   * excluded, and so is any payment a fraud case holds (never counted while under review).
   */
  async cardHistory(cardId: string, limit = 30): Promise<HistoryTxn[]> {
    const rows = await this.db
      .selectFrom('transactions')
      .select(['amount_minor', 'merchant_country', 'occurred_at'])
      .where('card_id', '=', cardId)
      .where('status', '!=', 'rejected')
      .where('amount_minor', '<', 0)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('transactions as b').select('b.id').whereRef('b.supersedes', '=', 'transactions.id'))),
      )
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('alerts as a')
              .select('a.id')
              .whereRef('a.txn_id', '=', 'transactions.id')
              .where('a.status', 'in', ['open', 'fraud', 'expired']),
          ),
        ),
      )
      .orderBy('occurred_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      amountMinor: -r.amount_minor,
      merchantCountry: r.merchant_country,
      occurredAt: r.occurred_at,
    }));
  }

  /** Every card, shaped for the simulator; the typical spend is the card's mean purchase. */
  async simCards(): Promise<SimCard[]> {
    const cards = await this.db
      .selectFrom('cards')
      .innerJoin('customers', 'customers.id', 'cards.customer_id')
      .innerJoin('accounts', 'accounts.id', 'cards.account_id')
      .select(['cards.id', 'cards.customer_id', 'customers.home_country', 'accounts.currency'])
      .orderBy('cards.id')
      .execute();
    const out: SimCard[] = [];
    for (const c of cards) {
      const history = await this.cardHistory(c.id);
      const typical =
        history.length === 0 ? 3_000 : Math.round(history.reduce((a, h) => a + h.amountMinor, 0) / history.length);
      out.push({
        cardId: c.id,
        customerId: c.customer_id,
        homeCountry: c.home_country,
        currency: c.currency,
        typicalMinor: typical,
      });
    }
    return out;
  }

  /** Records an authorisation: pending, or rejected when the card is locked. */
  async authorize(p: SimPurchase, card: Card): Promise<Txn> {
    const row: Txn = {
      id: newId('txn'),
      account_id: card.account_id,
      card_id: card.id,
      amount_minor: -p.amountMinor,
      currency: p.currency,
      status: card.status === 'locked' ? 'rejected' : 'pending',
      supersedes: null,
      merchant_name: p.merchantName,
      mcc: p.mcc,
      merchant_country: p.merchantCountry,
      terminal_id: p.terminalId,
      card_present: p.cardPresent ? 1 : 0,
      occurred_at: p.occurredAt,
      booked_at: null,
      scenario: p.scenario,
    };
    await this.db.insertInto('transactions').values(row).execute();
    return row;
  }

  /** Books a pending transaction as a new row that supersedes it. @returns the booked row, or undefined if not pending. */
  async book(pendingId: string, now: number): Promise<Txn | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const pending = await trx
        .selectFrom('transactions')
        .selectAll()
        .where('id', '=', pendingId)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (pending === undefined) return undefined;
      const already = await trx
        .selectFrom('transactions')
        .select('id')
        .where('supersedes', '=', pendingId)
        .executeTakeFirst();
      if (already !== undefined) return undefined;
      const booked: Txn = { ...pending, id: newId('txn'), status: 'booked', supersedes: pending.id, booked_at: now };
      await trx.insertInto('transactions').values(booked).execute();
      await trx
        .updateTable('accounts')
        .set((eb) => ({ booked_minor: eb('booked_minor', '+', pending.amount_minor) }))
        .where('id', '=', pending.account_id)
        .execute();
      return booked;
    });
  }

  /** Pending rows older than `before` (bookings lost to a restart). */
  async stalePending(before: number): Promise<string[]> {
    const rows = await this.#openPending().select('id').where('occurred_at', '<', before).execute();
    return rows.map((r) => r.id);
  }

  async lockCard(cardId: string, reason: string, now: number): Promise<void> {
    await this.db
      .updateTable('cards')
      .set({ status: 'locked', lock_reason: reason, locked_at: now })
      .where('id', '=', cardId)
      .execute();
  }

  async unlockCard(cardId: string): Promise<void> {
    await this.db
      .updateTable('cards')
      .set({ status: 'active', lock_reason: null, locked_at: null })
      .where('id', '=', cardId)
      .execute();
  }

  async setLowBalanceThreshold(accountId: string, minor: number | null): Promise<void> {
    await this.db
      .updateTable('accounts')
      .set({ low_balance_threshold_minor: minor, low_balance_notified: 0 })
      .where('id', '=', accountId)
      .execute();
  }

  async setLowBalanceNotified(accountId: string, notified: boolean): Promise<void> {
    await this.db
      .updateTable('accounts')
      .set({ low_balance_notified: notified ? 1 : 0 })
      .where('id', '=', accountId)
      .execute();
  }

  async lowBalanceNotified(accountId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('accounts')
      .select('low_balance_notified')
      .where('id', '=', accountId)
      .executeTakeFirst();
    return row?.low_balance_notified === 1;
  }

  async compromisedTerminals(): Promise<Set<string>> {
    const rows = await this.db.selectFrom('compromised_terminals').select('terminal_id').execute();
    return new Set(rows.map((r) => r.terminal_id));
  }

  async markTerminalCompromised(terminalId: string, reason: string, now: number): Promise<void> {
    await this.db
      .insertInto('compromised_terminals')
      .values({ terminal_id: terminalId, reason, since: now })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

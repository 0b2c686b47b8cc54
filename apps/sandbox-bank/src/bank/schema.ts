/**
 * The sandbox bank's tables. Money columns are integer minor units; a card is an id and
 * its last four digits, nothing more (reference §8). Times are epoch milliseconds.
 */
import type { Generated } from 'kysely';
import type { RefusalsTableShape } from '../common/refusals.js';

/** Account kinds of reference §3. */
export type AccountKind = 'checking' | 'savings' | 'card';
/** Transaction status of reference §3; booked rows supersede their pending row. */
export type TxnStatus = 'pending' | 'booked' | 'rejected';
/**
 * Lifecycle of a fraud case (fraud/cases.ts): `open` → `genuine` | `fraud` | `expired`.
 * `suppressed` and `undelivered` only appear on rows written before cases existed.
 */
export type AlertStatus = 'open' | 'genuine' | 'fraud' | 'expired' | 'suppressed' | 'undelivered';

export interface BankCustomersTable {
  id: string;
  username: string;
  display_name: string;
  /** scrypt: `salt:hash`, both hex. */
  password_hash: string;
  home_country: string;
  created_at: number;
}

export interface AccountsTable {
  id: string;
  customer_id: string;
  kind: AccountKind;
  name: string;
  currency: string;
  /** e.g. `••4321`: never the account number. */
  display_mask: string;
  booked_minor: number;
  credit_limit_minor: number | null;
  low_balance_threshold_minor: number | null;
  /** 1 once a low-balance alert went out; reset when the balance recovers. */
  low_balance_notified: number;
  created_at: number;
}

export interface CardsTable {
  id: string;
  customer_id: string;
  account_id: string;
  last4: string;
  network: string;
  status: 'active' | 'locked';
  lock_reason: string | null;
  locked_at: number | null;
}

export interface TransactionsTable {
  id: string;
  account_id: string;
  card_id: string | null;
  /** Signed: negative debits the account. */
  amount_minor: number;
  currency: string;
  status: TxnStatus;
  /** The pending row a booked row replaces. */
  supersedes: string | null;
  merchant_name: string;
  mcc: string;
  merchant_country: string;
  terminal_id: string;
  card_present: number;
  occurred_at: number;
  booked_at: number | null;
  /** Simulator label (`normal`, `amount_anomaly`, …), kept for the demo and tests. */
  scenario: string;
}

export interface LinksTable {
  psid: string;
  customer_id: string;
  linked_at: number;
  /** JSON array of categories from the hub's `consent`, for display only: the hub enforces. */
  consent_categories: string | null;
  consent_expires_at: number | null;
}

export interface LinkCodesTable {
  code: string;
  psid: string;
  customer_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface AlertsTable {
  id: string;
  txn_id: string;
  card_id: string;
  customer_id: string;
  psid: string | null;
  /** JSON `[{ id, reason }]`. */
  rules: string;
  status: AlertStatus;
  created_at: number;
  deadline_at: number;
  answered_at: number | null;
  message_id: string | null;
  /** The short reference the customer sees, e.g. `FC-7K2Q9M`. */
  ref: string | null;
  /** Random key of the case's answer payloads (HMAC), never shown. */
  answer_key: string | null;
  /** When the reminder goes out (before `deadline_at`); null once sent. */
  remind_at: number | null;
  /** Proactive contacts made about the case (capped). */
  contacts: number;
  /** Who or what settled the case, e.g. `customer:chat:<psid>` or `deadline`. */
  settled_by: string | null;
}

/** The case history: every transition of a case and what caused it. */
export interface CaseEventsTable {
  id: Generated<number>;
  case_id: string;
  at: number;
  from_status: string | null;
  to_status: string;
  actor: string;
  note: string;
}

/** Answers that changed nothing, with the reason (forged, unknown, foreign, replayed, expired). */
export interface AnswerRejectionsTable {
  id: Generated<number>;
  at: number;
  channel: string;
  sender: string;
  ref: string | null;
  reason: string;
}

export interface CardReplacementsTable {
  id: string;
  card_id: string;
  case_id: string;
  ordered_at: number;
}

/** One-time step-up links to unlock a card locked for fraud (fraud/step-up.ts). */
export interface StepUpsTable {
  /** SHA-256 of the token in the link. */
  token_hash: string;
  card_id: string;
  customer_id: string;
  psid: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export type RefusalsTable = RefusalsTableShape;

export interface CompromisedTerminalsTable {
  terminal_id: string;
  reason: string;
  since: number;
}

export interface BankDatabase {
  customers: BankCustomersTable;
  accounts: AccountsTable;
  cards: CardsTable;
  transactions: TransactionsTable;
  links: LinksTable;
  link_codes: LinkCodesTable;
  alerts: AlertsTable;
  refusals: RefusalsTable;
  compromised_terminals: CompromisedTerminalsTable;
  case_events: CaseEventsTable;
  answer_rejections: AnswerRejectionsTable;
  card_replacements: CardReplacementsTable;
  step_ups: StepUpsTable;
}

/** Forward-only migrations; see `openSqlite`. */
export const BANK_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE customers (id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL, password_hash TEXT NOT NULL,
    home_country TEXT NOT NULL, created_at INTEGER NOT NULL);
  CREATE TABLE accounts (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id), kind TEXT NOT NULL, name TEXT NOT NULL,
    currency TEXT NOT NULL, display_mask TEXT NOT NULL, booked_minor INTEGER NOT NULL, credit_limit_minor INTEGER,
    low_balance_threshold_minor INTEGER, low_balance_notified INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);
  CREATE TABLE cards (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id), account_id TEXT NOT NULL REFERENCES accounts(id),
    last4 TEXT NOT NULL CHECK (length(last4) = 4), network TEXT NOT NULL, status TEXT NOT NULL, lock_reason TEXT, locked_at INTEGER);
  CREATE TABLE transactions (id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(id), card_id TEXT REFERENCES cards(id),
    amount_minor INTEGER NOT NULL, currency TEXT NOT NULL, status TEXT NOT NULL, supersedes TEXT, merchant_name TEXT NOT NULL, mcc TEXT NOT NULL,
    merchant_country TEXT NOT NULL, terminal_id TEXT NOT NULL, card_present INTEGER NOT NULL, occurred_at INTEGER NOT NULL, booked_at INTEGER,
    scenario TEXT NOT NULL);
  CREATE INDEX transactions_card ON transactions (card_id, occurred_at);
  CREATE INDEX transactions_account ON transactions (account_id, occurred_at);
  CREATE INDEX transactions_supersedes ON transactions (supersedes);
  CREATE TABLE links (psid TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id), linked_at INTEGER NOT NULL,
    consent_categories TEXT, consent_expires_at INTEGER);
  CREATE INDEX links_customer ON links (customer_id);
  CREATE TABLE link_codes (code TEXT PRIMARY KEY, psid TEXT NOT NULL, customer_id TEXT NOT NULL REFERENCES customers(id),
    created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER);
  CREATE TABLE alerts (id TEXT PRIMARY KEY, txn_id TEXT NOT NULL REFERENCES transactions(id), card_id TEXT NOT NULL REFERENCES cards(id),
    customer_id TEXT NOT NULL, psid TEXT, rules TEXT NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL, deadline_at INTEGER NOT NULL,
    answered_at INTEGER, message_id TEXT);
  CREATE INDEX alerts_open ON alerts (status, deadline_at);
  CREATE TABLE refusals (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, psid TEXT NOT NULL, tag TEXT NOT NULL, category TEXT NOT NULL,
    reason TEXT NOT NULL, code INTEGER, subcode INTEGER, context TEXT NOT NULL);
  CREATE TABLE compromised_terminals (terminal_id TEXT PRIMARY KEY, reason TEXT NOT NULL, since INTEGER NOT NULL);
  `, // Fraud cases (fraud/cases.ts): alerts become cases with a customer-facing reference,
  // a reminder, a contact cap and a history; old statuses map onto the new lifecycle.
  `
  ALTER TABLE alerts ADD COLUMN ref TEXT;
  ALTER TABLE alerts ADD COLUMN answer_key TEXT;
  ALTER TABLE alerts ADD COLUMN remind_at INTEGER;
  ALTER TABLE alerts ADD COLUMN contacts INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE alerts ADD COLUMN settled_by TEXT;
  CREATE UNIQUE INDEX alerts_ref ON alerts (ref);
  CREATE INDEX alerts_txn ON alerts (txn_id);
  UPDATE alerts SET status = 'fraud' WHERE status IN ('fraud_reported', 'locked_by_customer');
  UPDATE alerts SET status = 'expired' WHERE status = 'soft_locked';
  -- Alerts still open from before cases: their payments were booked the old way; close them without case effects.
  UPDATE alerts SET status = 'expired', settled_by = 'migration' WHERE status = 'open';
  CREATE TABLE case_events (id INTEGER PRIMARY KEY AUTOINCREMENT, case_id TEXT NOT NULL REFERENCES alerts(id), at INTEGER NOT NULL,
    from_status TEXT, to_status TEXT NOT NULL, actor TEXT NOT NULL, note TEXT NOT NULL);
  CREATE INDEX case_events_case ON case_events (case_id, id);
  CREATE TABLE answer_rejections (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, channel TEXT NOT NULL, sender TEXT NOT NULL,
    ref TEXT, reason TEXT NOT NULL);
  CREATE TABLE card_replacements (id TEXT PRIMARY KEY, card_id TEXT NOT NULL REFERENCES cards(id), case_id TEXT NOT NULL REFERENCES alerts(id),
    ordered_at INTEGER NOT NULL);
  CREATE TABLE step_ups (token_hash TEXT PRIMARY KEY, card_id TEXT NOT NULL REFERENCES cards(id), customer_id TEXT NOT NULL, psid TEXT NOT NULL,
    created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER);
  `, // Proactive updates are utility templates (common/proactive.ts): a refusal names the template.
  `
  ALTER TABLE refusals ADD COLUMN template TEXT;
  `,
];

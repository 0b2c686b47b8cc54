/**
 * Explainable fraud rules (reference §7.4). Each rule is a pure function of the
 * transaction and the card's recent history; a hit carries the rule id and a reason a
 * customer can read. No scores, no models: a bank developer can read why an alert fired.
 */
import { formatMoney } from '../../common/money.js';

/** The transaction being authorised (amount: positive minor units). */
export interface RuleTxn {
  cardId: string;
  amountMinor: number;
  currency: string;
  merchantName: string;
  mcc: string;
  merchantCountry: string;
  terminalId: string;
  cardPresent: boolean;
  occurredAt: number;
}

/** A past purchase on the same card. */
export interface HistoryTxn {
  amountMinor: number;
  merchantCountry: string;
  occurredAt: number;
}

/** Everything a rule may look at. */
export interface RuleInput {
  txn: RuleTxn;
  /** The card's earlier purchases, any order (declined ones excluded). */
  history: readonly HistoryTxn[];
  homeCountry: string;
  compromisedTerminals: ReadonlySet<string>;
}

/** Ids of the rules. */
export type RuleId =
  'amount_anomaly' | 'new_country' | 'velocity' | 'cnp_high_amount' | 'risky_mcc' | 'compromised_terminal';

/** A rule that fired. */
export interface RuleHit {
  id: RuleId;
  reason: string;
}

/** Thresholds; the defaults keep everyday spending (≤ 1.8× typical) well clear. */
export const RULE_THRESHOLDS = {
  /** Amount anomaly needs this much history. */
  minHistory: 5,
  /** ... and fires above max(mean + k·σ, factor × mean, floor). */
  anomalySigma: 4,
  anomalyFactor: 3,
  anomalyFloorMinor: 10_000,
  /** Velocity: this many purchases (including this one) within the window. */
  velocityCount: 4,
  velocityWindowMs: 120_000,
  /** Card-not-present: at least this much and more than `cnpFactor` × mean. */
  cnpFloorMinor: 15_000,
  cnpFactor: 2,
} as const;

/** High-risk merchant categories (Visa merchant-type controls). */
export const RISKY_MCCS: Readonly<Record<string, string>> = {
  '6051': 'quasi-cash / crypto',
  '7995': 'gambling',
  '4829': 'money transfer',
  '6012': 'financial institution (cash-like)',
};

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
const stddev = (values: readonly number[], mu: number): number =>
  Math.sqrt(values.reduce((a, v) => a + (v - mu) ** 2, 0) / values.length);

type Rule = (input: RuleInput) => RuleHit | undefined;

const amountAnomaly: Rule = ({ txn, history }) => {
  if (history.length < RULE_THRESHOLDS.minHistory) return undefined;
  const amounts = history.map((h) => h.amountMinor);
  const mu = mean(amounts);
  const limit = Math.max(
    mu + RULE_THRESHOLDS.anomalySigma * stddev(amounts, mu),
    RULE_THRESHOLDS.anomalyFactor * mu,
    RULE_THRESHOLDS.anomalyFloorMinor,
  );
  if (txn.amountMinor <= limit) return undefined;
  return {
    id: 'amount_anomaly',
    reason: `${formatMoney(txn.amountMinor, txn.currency)} is far above this card's usual spend (about ${formatMoney(Math.round(mu), txn.currency)} on average).`,
  };
};

const newCountry: Rule = ({ txn, history, homeCountry }) => {
  if (txn.merchantCountry === homeCountry || history.some((h) => h.merchantCountry === txn.merchantCountry))
    return undefined;
  return {
    id: 'new_country',
    reason: `First purchase in ${txn.merchantCountry} on this card (home country ${homeCountry}).`,
  };
};

const velocity: Rule = ({ txn, history }) => {
  const since = txn.occurredAt - RULE_THRESHOLDS.velocityWindowMs;
  const count = 1 + history.filter((h) => h.occurredAt > since && h.occurredAt <= txn.occurredAt).length;
  if (count < RULE_THRESHOLDS.velocityCount) return undefined;
  return {
    id: 'velocity',
    reason: `${count} purchases on this card within ${RULE_THRESHOLDS.velocityWindowMs / 60_000} minutes.`,
  };
};

const cnpHighAmount: Rule = ({ txn, history }) => {
  if (txn.cardPresent || txn.amountMinor < RULE_THRESHOLDS.cnpFloorMinor) return undefined;
  const mu = history.length === 0 ? 0 : mean(history.map((h) => h.amountMinor));
  if (txn.amountMinor <= RULE_THRESHOLDS.cnpFactor * mu) return undefined;
  return {
    id: 'cnp_high_amount',
    reason: `Online (card-not-present) payment of ${formatMoney(txn.amountMinor, txn.currency)}, above the ${formatMoney(RULE_THRESHOLDS.cnpFloorMinor, txn.currency)} online limit for alerts.`,
  };
};

const riskyMcc: Rule = ({ txn }) => {
  const label = RISKY_MCCS[txn.mcc];
  return label === undefined
    ? undefined
    : { id: 'risky_mcc', reason: `${txn.merchantName} is in a high-risk merchant category (${txn.mcc}, ${label}).` };
};

const compromisedTerminal: Rule = ({ txn, compromisedTerminals }) =>
  compromisedTerminals.has(txn.terminalId)
    ? {
        id: 'compromised_terminal',
        reason: `The terminal at ${txn.merchantName} (${txn.terminalId}) has had confirmed fraud recently.`,
      }
    : undefined;

/** The rules, in the order their reasons are shown. */
export const RULES: readonly Rule[] = [
  amountAnomaly,
  newCountry,
  velocity,
  cnpHighAmount,
  riskyMcc,
  compromisedTerminal,
];

/** Runs every rule; an empty list means the transaction looks normal. */
export function evaluateRules(input: RuleInput): RuleHit[] {
  return RULES.map((rule) => rule(input)).filter((hit): hit is RuleHit => hit !== undefined);
}

/**
 * Runs a simulator's event stream through the fraud rules in memory, without a database:
 * the reproducibility check behind the tests and `--dry-run`. Mirrors the bank's live
 * path (history = the card's earlier purchases, newest 30).
 */
import { evaluateRules, type HistoryTxn, type RuleId } from '../fraud/rules.js';
import type { SimEvent, SimPurchase, TransactionSimulator } from './simulator.js';

/** A purchase the rules flagged. */
export interface ReplayAlert {
  ref: string;
  cardId: string;
  scenario: SimPurchase['scenario'];
  rules: RuleId[];
}

export interface ReplayResult {
  events: SimEvent[];
  alerts: ReplayAlert[];
}

/**
 * Takes `count` events from the simulator and scores every authorisation.
 * @param history the cards' history before the run (copied, not modified).
 */
export function replay(
  sim: TransactionSimulator,
  count: number,
  context: {
    homeCountry: (cardId: string) => string;
    compromisedTerminals: ReadonlySet<string>;
    history?: ReadonlyMap<string, readonly HistoryTxn[]>;
  },
): ReplayResult {
  const history = new Map<string, HistoryTxn[]>();
  for (const [card, rows] of context.history ?? []) history.set(card, [...rows]);
  const events: SimEvent[] = [];
  const alerts: ReplayAlert[] = [];
  for (let i = 0; i < count; i++) {
    const event = sim.next();
    events.push(event);
    if (event.kind !== 'authorize') continue;
    const p = event.purchase;
    const past = history.get(p.cardId) ?? [];
    const hits = evaluateRules({
      txn: p,
      history: past.slice(-30),
      homeCountry: context.homeCountry(p.cardId),
      compromisedTerminals: context.compromisedTerminals,
    });
    if (hits.length > 0)
      alerts.push({ ref: p.ref, cardId: p.cardId, scenario: p.scenario, rules: hits.map((h) => h.id) });
    past.push({ amountMinor: p.amountMinor, merchantCountry: p.merchantCountry, occurredAt: p.occurredAt });
    history.set(p.cardId, past);
  }
  return { events, alerts };
}

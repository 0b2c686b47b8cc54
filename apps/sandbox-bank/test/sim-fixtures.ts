/** Shared simulator fixtures for the sandbox bank's unit tests. */
import { mulberry32 } from '../src/common/prng.js';
import type { HistoryTxn } from '../src/bank/fraud/rules.js';
import { COMPROMISED_TERMINAL } from '../src/bank/simulator/merchants.js';
import { everydayAmount, type SimCard } from '../src/bank/simulator/simulator.js';

export const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

export const CARDS: SimCard[] = [
  { cardId: 'card_a', customerId: 'cus_a', homeCountry: 'DE', currency: 'EUR', typicalMinor: 3_500 },
  { cardId: 'card_b', customerId: 'cus_a', homeCountry: 'DE', currency: 'EUR', typicalMinor: 3_500 },
  { cardId: 'card_c', customerId: 'cus_b', homeCountry: 'FR', currency: 'EUR', typicalMinor: 6_000 },
];

/** 30 days of everyday purchases per card, like the bank's fixtures. */
export function baselineHistory(seed = 7): Map<string, HistoryTxn[]> {
  const rng = mulberry32(seed);
  const map = new Map<string, HistoryTxn[]>();
  for (const card of CARDS) {
    const rows: HistoryTxn[] = [];
    for (let day = 30; day >= 1; day--) {
      rows.push({
        amountMinor: everydayAmount(rng, card.typicalMinor),
        merchantCountry: card.homeCountry,
        occurredAt: T0 - day * 86_400_000,
      });
    }
    map.set(card.cardId, rows);
  }
  return map;
}

export const replayContext = () => ({
  homeCountry: (cardId: string) => CARDS.find((c) => c.cardId === cardId)?.homeCountry ?? 'DE',
  compromisedTerminals: new Set([COMPROMISED_TERMINAL.terminalId]),
  history: baselineHistory(),
});

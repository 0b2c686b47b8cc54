import { describe, expect, it } from 'vitest';
import { CARDS, T0, baselineHistory } from '../../../test/sim-fixtures.js';
import { COMPROMISED_TERMINAL } from '../simulator/merchants.js';
import { TransactionSimulator, type Scenario, type SimPurchase } from '../simulator/simulator.js';
import { evaluateRules, type HistoryTxn, type RuleId, type RuleInput } from './rules.js';

const card = CARDS[0]!;
const compromised = new Set([COMPROMISED_TERMINAL.terminalId]);

/** Stages a scenario on card_a and scores each purchase in turn, like the bank does. */
function runScenario(scenario: Scenario, seed = 1): { purchase: SimPurchase; rules: RuleId[] }[] {
  const sim = new TransactionSimulator({ seed, cards: CARDS, startAt: T0, intervalMs: 20_000, fraudRate: 0 });
  const history: HistoryTxn[] = [...baselineHistory().get(card.cardId)!];
  return sim.stage(scenario, card, T0).map((purchase) => {
    const rules = evaluateRules({
      txn: purchase,
      history,
      homeCountry: card.homeCountry,
      compromisedTerminals: compromised,
    }).map((h) => h.id);
    history.push({
      amountMinor: purchase.amountMinor,
      merchantCountry: purchase.merchantCountry,
      occurredAt: purchase.occurredAt,
    });
    return { purchase, rules };
  });
}

const EXPECTED: Record<Scenario, RuleId[]> = {
  amount_anomaly: ['amount_anomaly'],
  compromised_terminal: ['compromised_terminal'],
  new_country: ['new_country'],
  risky_merchant: ['risky_mcc'],
  // The large orders are also far above a €35-a-purchase card's usual spend.
  cnp_burst: ['velocity', 'cnp_high_amount', 'amount_anomaly'],
};

describe('fraud rules on the simulator scenarios', () => {
  for (const [scenario, expected] of Object.entries(EXPECTED) as [Scenario, RuleId[]][]) {
    it(`${scenario} fires ${expected.join(' + ')} (for several seeds)`, () => {
      for (const seed of [1, 2, 3, 99]) {
        const fired = new Set(runScenario(scenario, seed).flatMap((r) => r.rules));
        expect([...fired].sort()).toEqual([...expected].sort());
      }
    });
  }

  it('cnp_burst: the card-testing charges pass, the large orders are flagged', () => {
    const results = runScenario('cnp_burst');
    expect(results.map((r) => r.rules)).toEqual([
      [],
      [],
      ['amount_anomaly', 'cnp_high_amount'],
      ['amount_anomaly', 'velocity', 'cnp_high_amount'],
    ]);
  });
});

describe('fraud rules on everyday spending', () => {
  it('fire on none of 2,000 everyday purchases', () => {
    const sim = new TransactionSimulator({ seed: 2026, cards: CARDS, startAt: T0, intervalMs: 5_000, fraudRate: 0 });
    const history = baselineHistory();
    let purchases = 0;
    while (purchases < 2_000) {
      const e = sim.next();
      if (e.kind !== 'authorize') continue;
      purchases++;
      const past = history.get(e.purchase.cardId)!;
      const home = CARDS.find((c) => c.cardId === e.purchase.cardId)!.homeCountry;
      expect(
        evaluateRules({
          txn: e.purchase,
          history: past.slice(-30),
          homeCountry: home,
          compromisedTerminals: compromised,
        }),
      ).toEqual([]);
      past.push({
        amountMinor: e.purchase.amountMinor,
        merchantCountry: e.purchase.merchantCountry,
        occurredAt: e.purchase.occurredAt,
      });
    }
  });
});

describe('each rule, explained', () => {
  const base: RuleInput = {
    txn: {
      cardId: 'c',
      amountMinor: 4_000,
      currency: 'EUR',
      merchantName: 'Café Luna',
      mcc: '5814',
      merchantCountry: 'DE',
      terminalId: 'T-1',
      cardPresent: true,
      occurredAt: T0,
    },
    history: Array.from({ length: 10 }, (_, i) => ({
      amountMinor: 3_000 + i * 100,
      merchantCountry: 'DE',
      occurredAt: T0 - (i + 1) * 3_600_000,
    })),
    homeCountry: 'DE',
    compromisedTerminals: new Set(['T-BAD']),
  };
  const fire = (patch: Partial<RuleInput['txn']>, extra: Partial<RuleInput> = {}) =>
    evaluateRules({ ...base, ...extra, txn: { ...base.txn, ...patch } });

  it('is silent on an ordinary purchase', () => expect(fire({})).toEqual([]));
  it('amount_anomaly gives the amount and the usual spend', () => {
    const [hit] = fire({ amountMinor: 50_000 });
    expect(hit).toEqual({ id: 'amount_anomaly', reason: expect.stringContaining('€500.00') });
    expect(hit?.reason).toContain('€34.50');
  });
  it('amount_anomaly needs enough history', () =>
    expect(fire({ amountMinor: 50_000 }, { history: base.history.slice(0, 3) })).toEqual([]));
  it('new_country names the country', () =>
    expect(fire({ merchantCountry: 'BR' })).toEqual([{ id: 'new_country', reason: expect.stringContaining('BR') }]));
  it('new_country stays quiet for a country seen before', () =>
    expect(
      fire(
        { merchantCountry: 'AT' },
        { history: [...base.history, { amountMinor: 1_000, merchantCountry: 'AT', occurredAt: T0 - 99 }] },
      ),
    ).toEqual([]));
  it('velocity counts purchases in the window', () => {
    const recent = [1, 2, 3].map((i) => ({ amountMinor: 1_000, merchantCountry: 'DE', occurredAt: T0 - i * 20_000 }));
    expect(fire({}, { history: [...base.history, ...recent] })).toEqual([
      { id: 'velocity', reason: '4 purchases on this card within 2 minutes.' },
    ]);
    expect(fire({}, { history: [...base.history, ...recent.slice(0, 2)] })).toEqual([]);
  });
  it('cnp_high_amount needs card-not-present and a high amount', () => {
    // A bigger spender (about €65 a purchase), so €160 is not an amount anomaly.
    const history = base.history.map((h) => ({ ...h, amountMinor: h.amountMinor * 2 }));
    expect(fire({ cardPresent: false, amountMinor: 16_000 }, { history })).toEqual([
      { id: 'cnp_high_amount', reason: expect.stringContaining('€160.00') },
    ]);
    expect(fire({ cardPresent: true, amountMinor: 16_000 }, { history })).toEqual([]);
    expect(fire({ cardPresent: false, amountMinor: 12_000 }, { history })).toEqual([]);
  });
  it('risky_mcc names the category', () =>
    expect(fire({ mcc: '7995' })).toEqual([{ id: 'risky_mcc', reason: expect.stringContaining('gambling') }]));
  it('compromised_terminal names the terminal', () =>
    expect(fire({ terminalId: 'T-BAD' })).toEqual([
      { id: 'compromised_terminal', reason: expect.stringContaining('T-BAD') },
    ]));
});

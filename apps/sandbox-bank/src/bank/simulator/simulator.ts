/**
 * A seeded, deterministic card-transaction simulator in the spirit of the Fraud Detection
 * Handbook (reference §7.5). Time is divided into slots of `intervalMs`; each slot yields
 * an everyday purchase or, with probability `fraudRate`, one of the fraud scenarios.
 * Every purchase is authorised (pending) and booked `bookDelayMs` later. The same seed,
 * cards and start time give the same event stream on every run.
 */
import { mulberry32, type Rng } from '../../common/prng.js';
import {
  ANOMALY_MERCHANT,
  CNP_MERCHANT,
  COMPROMISED_TERMINAL,
  EVERYDAY_MERCHANTS,
  FOREIGN_MERCHANTS,
  RISKY_MERCHANT,
  terminalId,
  type Merchant,
} from './merchants.js';

/** The fraud scenarios the simulator can stage. */
export const SCENARIOS = [
  'amount_anomaly',
  'compromised_terminal',
  'cnp_burst',
  'new_country',
  'risky_merchant',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** A card as the simulator sees it. */
export interface SimCard {
  cardId: string;
  customerId: string;
  homeCountry: string;
  currency: string;
  /** The customer's typical purchase, in minor units. */
  typicalMinor: number;
}

/** A purchase attempt (authorisation). Amounts are positive minor units. */
export interface SimPurchase {
  ref: string;
  cardId: string;
  customerId: string;
  amountMinor: number;
  currency: string;
  merchantName: string;
  mcc: string;
  merchantCountry: string;
  terminalId: string;
  cardPresent: boolean;
  occurredAt: number;
  scenario: 'normal' | Scenario;
}

/** One simulator event, in time order. */
export type SimEvent =
  { kind: 'authorize'; at: number; purchase: SimPurchase } | { kind: 'book'; at: number; ref: string };

/** Options of {@link TransactionSimulator}. */
export interface SimulatorOptions {
  seed: number;
  cards: readonly SimCard[];
  /** Start of simulated time (epoch ms). */
  startAt: number;
  /** Slot length; a rate of N per minute is `60_000 / N`. */
  intervalMs: number;
  /** Probability that a slot stages a fraud scenario. */
  fraudRate: number;
  /** Delay from authorisation to booking. Default 30 s. */
  bookDelayMs?: number;
  /** An everyday purchase on a card waits at least this long after the previous one. Default 60 s. */
  minEverydayGapMs?: number;
}

/** Pause of everyday purchases on a card after a scenario (beyond the 2-minute velocity window). */
const SCENARIO_QUIET_MS = 180_000;

/** Amount of an everyday purchase: 40 %–180 % of the customer's typical spend. */
export const everydayAmount = (rng: Rng, typicalMinor: number): number =>
  Math.max(100, Math.round((typicalMinor * rng.int(40, 180)) / 100));

export class TransactionSimulator {
  readonly #rng: Rng;
  readonly #options: Required<SimulatorOptions>;
  readonly #queue: SimEvent[] = [];
  readonly #lastEveryday = new Map<string, number>();
  #slot = 0;
  #seq = 0;

  constructor(options: SimulatorOptions) {
    if (options.cards.length === 0) throw new RangeError('The simulator needs at least one card');
    this.#options = { bookDelayMs: 30_000, minEverydayGapMs: 60_000, ...options };
    this.#rng = mulberry32(options.seed);
  }

  /** The next event in time order. */
  next(): SimEvent {
    // Fill until the earliest queued event is earlier than anything a new slot could add.
    while (this.#queue.length === 0 || (this.#queue[0] as SimEvent).at > this.#slotTime(this.#slot)) this.#fillSlot();
    return this.#queue.shift() as SimEvent;
  }

  /** Every event up to and including time `until`. */
  takeUntil(until: number): SimEvent[] {
    const out: SimEvent[] = [];
    while (this.peekTime() <= until) out.push(this.next());
    return out;
  }

  /** Time of the next event. */
  peekTime(): number {
    while (this.#queue.length === 0 || (this.#queue[0] as SimEvent).at > this.#slotTime(this.#slot)) this.#fillSlot();
    return (this.#queue[0] as SimEvent).at;
  }

  /**
   * Stages one scenario now, outside the slot schedule (demo button, e2e tests). Uses the
   * same seeded generator, so a run of injections is reproducible too.
   * @returns the scenario's purchases in time order, starting at `at`.
   */
  stage(scenario: Scenario, card: SimCard, at: number): SimPurchase[] {
    return this.#scenario(scenario, card, at);
  }

  #slotTime(slot: number): number {
    return this.#options.startAt + slot * this.#options.intervalMs;
  }

  #fillSlot(): void {
    const at = this.#slotTime(this.#slot++);
    const rng = this.#rng;
    const card = rng.pick(this.#options.cards);
    if (rng.chance(this.#options.fraudRate)) {
      const purchases = this.#scenario(rng.pick(SCENARIOS), card, at);
      for (const purchase of purchases) this.#enqueuePurchase(purchase);
      // Everyday traffic on this card pauses after a scenario, so a burst's velocity window
      // never covers an everyday purchase and every alert traces back to its scenario.
      this.#lastEveryday.set(card.cardId, (purchases.at(-1)?.occurredAt ?? at) + SCENARIO_QUIET_MS);
      return;
    }
    const last = this.#lastEveryday.get(card.cardId);
    if (last !== undefined && (at < last || at - last < this.#options.minEverydayGapMs)) return;
    this.#lastEveryday.set(card.cardId, at);
    const merchant = rng.pick(EVERYDAY_MERCHANTS);
    this.#enqueuePurchase(
      this.#purchase(
        card,
        merchant,
        everydayAmount(rng, card.typicalMinor),
        at,
        'normal',
        terminalId(merchant, rng.int(1, 3)),
      ),
    );
  }

  #scenario(scenario: Scenario, card: SimCard, at: number): SimPurchase[] {
    const rng = this.#rng;
    switch (scenario) {
      case 'amount_anomaly':
        return [
          this.#purchase(
            card,
            ANOMALY_MERCHANT,
            card.typicalMinor * rng.int(8, 15) + rng.int(0, 99),
            at,
            scenario,
            terminalId(ANOMALY_MERCHANT, 1),
          ),
        ];
      case 'compromised_terminal':
        return [
          this.#purchase(
            card,
            COMPROMISED_TERMINAL.merchant,
            everydayAmount(rng, card.typicalMinor),
            at,
            scenario,
            COMPROMISED_TERMINAL.terminalId,
          ),
        ];
      case 'new_country': {
        const merchant = rng.pick(FOREIGN_MERCHANTS);
        return [
          this.#purchase(
            card,
            merchant,
            everydayAmount(rng, card.typicalMinor),
            at,
            scenario,
            terminalId(merchant, rng.int(1, 3)),
          ),
        ];
      }
      case 'risky_merchant':
        return [
          this.#purchase(
            card,
            RISKY_MERCHANT,
            everydayAmount(rng, card.typicalMinor),
            at,
            scenario,
            terminalId(RISKY_MERCHANT, 1),
          ),
        ];
      case 'cnp_burst': {
        // Two card-testing charges, then two large orders, 15 seconds apart.
        const amounts = [rng.int(100, 199), rng.int(100, 199), 20_000 + rng.int(0, 9_999), 30_000 + rng.int(0, 19_999)];
        return amounts.map((amount, i) =>
          this.#purchase(card, CNP_MERCHANT, amount, at + i * 15_000, scenario, terminalId(CNP_MERCHANT, 1)),
        );
      }
    }
  }

  #purchase(
    card: SimCard,
    merchant: Merchant,
    amountMinor: number,
    at: number,
    scenario: SimPurchase['scenario'],
    terminal: string,
  ): SimPurchase {
    return {
      ref: `sim-${this.#options.seed}-${++this.#seq}`,
      cardId: card.cardId,
      customerId: card.customerId,
      amountMinor,
      currency: card.currency,
      merchantName: merchant.name,
      mcc: merchant.mcc,
      merchantCountry: merchant.country ?? card.homeCountry,
      terminalId: terminal,
      cardPresent: merchant.cardPresent,
      occurredAt: at,
      scenario,
    };
  }

  #enqueuePurchase(purchase: SimPurchase): void {
    this.#insert({ kind: 'authorize', at: purchase.occurredAt, purchase });
    this.#insert({ kind: 'book', at: purchase.occurredAt + this.#options.bookDelayMs, ref: purchase.ref });
  }

  /** Stable insertion: equal times keep the order they were added in. */
  #insert(event: SimEvent): void {
    let i = this.#queue.length;
    while (i > 0 && (this.#queue[i - 1] as SimEvent).at > event.at) i--;
    this.#queue.splice(i, 0, event);
  }
}

/**
 * Plays the simulator's event stream against the wall clock: every tick, the events that
 * are due are authorised or booked through the {@link CardProcessor}. Also stages
 * scenarios on demand (the admin endpoint, e2e tests).
 */
import type { Logger } from 'pino';
import type { AuthorizationResult, CardProcessor } from '../card-processor.js';
import type { Ledger } from '../ledger.js';
import { TransactionSimulator, type Scenario, type SimEvent } from './simulator.js';

/** Options of {@link SimulationDriver}. */
export interface DriverOptions {
  seed: number;
  /** Purchases per minute; 0 runs no background traffic (staging still works). */
  ratePerMinute: number;
  fraudRate: number;
  bookDelayMs: number;
  now: () => number;
  log: Logger;
}

export class SimulationDriver {
  readonly #ledger: Ledger;
  readonly #processor: CardProcessor;
  readonly #options: DriverOptions;
  readonly #refToTxn = new Map<string, string>();
  #simulator: TransactionSimulator | undefined;
  #timer: NodeJS.Timeout | undefined;
  #bookTimers = new Set<NodeJS.Timeout>();
  #busy: Promise<void> = Promise.resolve();

  constructor(ledger: Ledger, processor: CardProcessor, options: DriverOptions) {
    this.#ledger = ledger;
    this.#processor = processor;
    this.#options = options;
  }

  async #sim(): Promise<TransactionSimulator> {
    const { seed, ratePerMinute, fraudRate, bookDelayMs, now } = this.#options;
    this.#simulator ??= new TransactionSimulator({
      seed,
      cards: await this.#ledger.simCards(),
      startAt: now(),
      intervalMs: ratePerMinute > 0 ? Math.round(60_000 / ratePerMinute) : 60_000,
      fraudRate,
      bookDelayMs,
    });
    return this.#simulator;
  }

  /** Books what a restart left pending, then starts background traffic if a rate is set. */
  async start(): Promise<void> {
    for (const id of await this.#ledger.stalePending(this.#options.now() - this.#options.bookDelayMs)) await this.#processor.book(id);
    await this.#sim();
    if (this.#options.ratePerMinute <= 0) return;
    const tickMs = Math.min(1_000, Math.round(60_000 / this.#options.ratePerMinute));
    this.#timer = setInterval(() => void this.#serial(() => this.tick()), tickMs);
    this.#timer.unref();
  }

  /** Runs every event due by now. */
  async tick(): Promise<void> {
    const sim = await this.#sim();
    for (const event of sim.takeUntil(this.#options.now())) await this.#apply(event);
  }

  /**
   * Stages a scenario for one of a customer's cards now and authorises its first purchase
   * at once; later purchases of the scenario (a burst) and bookings follow on timers.
   */
  async stage(scenario: Scenario, customerId: string, cardId?: string): Promise<AuthorizationResult> {
    const cards = (await this.#ledger.simCards()).filter((c) => c.customerId === customerId && (cardId === undefined || c.cardId === cardId));
    const card = cards[0];
    if (card === undefined) throw new RangeError(`No card for customer ${customerId}`);
    const sim = await this.#sim();
    const [first, ...rest] = sim.stage(scenario, card, this.#options.now());
    if (first === undefined) throw new Error(`Scenario ${scenario} staged nothing`);
    const result = await this.#serial(() => this.#authorize(first));
    for (const purchase of rest) {
      this.#later(purchase.occurredAt - first.occurredAt, () => this.#authorize(purchase).then(() => undefined));
    }
    return result;
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    for (const t of this.#bookTimers) clearTimeout(t);
    this.#bookTimers.clear();
  }

  async #apply(event: SimEvent): Promise<void> {
    if (event.kind === 'authorize') {
      await this.#authorize(event.purchase, false);
      return;
    }
    const txnId = this.#refToTxn.get(event.ref);
    this.#refToTxn.delete(event.ref);
    if (txnId !== undefined) await this.#processor.book(txnId);
  }

  async #authorize(purchase: Parameters<CardProcessor['authorize']>[0], scheduleBooking = true): Promise<AuthorizationResult> {
    const result = await this.#processor.authorize({ ...purchase, occurredAt: Math.max(purchase.occurredAt, this.#options.now()) });
    if (result.txn.status === 'pending') {
      if (scheduleBooking) this.#later(this.#options.bookDelayMs, () => this.#processor.book(result.txn.id).then(() => undefined));
      else this.#refToTxn.set(purchase.ref, result.txn.id);
    }
    return result;
  }

  #later(ms: number, fn: () => Promise<void>): void {
    const t = setTimeout(() => {
      this.#bookTimers.delete(t);
      void this.#serial(fn);
    }, ms);
    t.unref();
    this.#bookTimers.add(t);
  }

  /** One event at a time, so history reads and writes never interleave. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#busy.then(fn);
    this.#busy = run.then(
      () => undefined,
      (err: unknown) => this.#options.log.error({ err }, 'simulator event failed'),
    );
    return run;
  }
}

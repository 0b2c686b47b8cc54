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
    for (const id of await this.#ledger.stalePending(this.#options.now() - this.#options.bookDelayMs))
      await this.#processor.book(id);
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
   * Stages a scenario on one of a customer's active cards now. Its purchases are authorised
   * at once, in order, until one opens a fraud case (then the card is blocked and the rest
   * would only be declined), so a staged scenario always ends in a visible alert when its
   * rules fire. Bookings of the purchases that passed follow on timers.
   * @throws RangeError when the customer has no such card, or the card is blocked.
   */
  async stage(scenario: Scenario, customerId: string, cardId?: string): Promise<AuthorizationResult> {
    const cards = (await this.#ledger.simCards()).filter(
      (c) => c.customerId === customerId && (cardId === undefined || c.cardId === cardId),
    );
    const active: typeof cards = [];
    for (const c of cards) if ((await this.#ledger.card(c.cardId))?.status === 'active') active.push(c);
    const card = active[0];
    if (card === undefined)
      throw new RangeError(
        cards.length === 0 ? `No card for customer ${customerId}` : `Card ${cards[0]?.cardId} is blocked`,
      );
    const sim = await this.#sim();
    const purchases = sim.stage(scenario, card, this.#options.now());
    if (purchases.length === 0) throw new Error(`Scenario ${scenario} staged nothing`);
    return this.#serial(async () => {
      let result: AuthorizationResult | undefined;
      for (const purchase of purchases) {
        result = await this.#authorize({ ...purchase, occurredAt: this.#options.now() });
        if (result.alert !== undefined) break;
      }
      return result as AuthorizationResult;
    });
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    for (const t of this.#bookTimers) clearTimeout(t);
    this.#bookTimers.clear();
  }

  async #apply(event: SimEvent): Promise<void> {
    if (event.kind === 'authorize') {
      // A simulated cardholder does not keep using a blocked card (a fraud case holds it, or it is locked):
      // background traffic skips it instead of flooding the chat with declines.
      if ((await this.#ledger.card(event.purchase.cardId))?.status === 'locked') return;
      await this.#authorize(event.purchase, false);
      return;
    }
    const txnId = this.#refToTxn.get(event.ref);
    this.#refToTxn.delete(event.ref);
    if (txnId !== undefined) await this.#processor.book(txnId);
  }

  async #authorize(
    purchase: Parameters<CardProcessor['authorize']>[0],
    scheduleBooking = true,
  ): Promise<AuthorizationResult> {
    const result = await this.#processor.authorize({
      ...purchase,
      occurredAt: Math.max(purchase.occurredAt, this.#options.now()),
    });
    if (result.txn.status === 'pending' && result.alert === undefined) {
      if (scheduleBooking)
        this.#later(this.#options.bookDelayMs, () => this.#processor.book(result.txn.id).then(() => undefined));
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

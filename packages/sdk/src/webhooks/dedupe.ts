/**
 * @module webhooks/dedupe
 * The Bot's duplicate filter. The hub delivers webhooks at least once: it retries a batch
 * whose POST failed or timed out, and a batch in flight when a hub process dies is sent
 * again by another. The filter remembers the `mid` of every customer message and postback
 * handled without error, per page, so a repeat reaches no handler.
 *
 * What is filtered, and why the rest is not:
 * - `messages` (quick replies included) and `messaging_postbacks`, by `mid`: these are the
 *   customer's actions, and running their handlers twice answers twice, locks twice…
 * - Echoes are not: they copy what the page itself sent (store them keyed by `message.mid`),
 *   and remembering them would spend the bound on the bot's own output.
 * - Deliveries and reads carry a watermark ("everything up to here"): apply it with `max`,
 *   and a repeat changes nothing.
 * - `account_linking` `linked` is delivered synchronously and not retried; handover, app
 *   roles and opt-ins carry no id and describe a state, which a repeat restates.
 * - A postback without `mid` (older senders) cannot be recognised and always runs.
 *
 * The memory lives in the process: a restarted receiver has forgotten what it handled,
 * so handlers whose effects must never repeat still check their own state.
 */
import type { WebhookEvent } from '@confide/protocol';

/** Bounds of the duplicate filter; whichever is reached first forgets the oldest mids. */
export interface DedupeOptions {
  /** Mids remembered per page. Default 10 000. */
  maxEntries?: number;
  /** How long a mid is remembered, in milliseconds. Default 24 hours (hub retries back off to at most 5 minutes apart). */
  ttlMs?: number;
}

/** Defaults of {@link DedupeOptions}: at most 10 000 mids per page, each for 24 hours. */
export const DEFAULT_DEDUPE_OPTIONS: Readonly<Required<DedupeOptions>> = {
  maxEntries: 10_000,
  ttlMs: 24 * 60 * 60 * 1000,
};

/**
 * The id that makes an item a repeat, or undefined when the item is not filtered (see the
 * module notes). Standby items get their own keys: they are copies for a non-owner app.
 */
export function dedupeKey(event: WebhookEvent, standby: boolean): string | undefined {
  let mid: string | undefined;
  if ('message' in event) mid = event.message.is_echo === true ? undefined : event.message.mid;
  else if ('postback' in event) mid = event.postback.mid;
  if (mid === undefined) return undefined;
  return standby ? `standby:${mid}` : mid;
}

/** A claim on one item; call {@link DedupeClaim.settle} exactly once when its handlers have run. */
export interface DedupeClaim {
  /** `ok`: the handlers succeeded and the item is remembered; otherwise a redelivery runs it again. */
  settle(ok: boolean): void;
}

/**
 * Remembers handled keys per page, bounded in size and age. A repeat that arrives while
 * the first copy is still being handled waits for it: skipped if it succeeded, run if it failed.
 */
export class DuplicateFilter {
  readonly #maxEntries: number;
  readonly #ttlMs: number;
  /** page id → key → expiry (epoch ms), oldest first. */
  readonly #seen = new Map<string, Map<string, number>>();
  /** page id and key → settles when the copy being handled is done. */
  readonly #inFlight = new Map<string, Promise<void>>();

  constructor(options: DedupeOptions = {}) {
    this.#maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_DEDUPE_OPTIONS.maxEntries);
    this.#ttlMs = options.ttlMs ?? DEFAULT_DEDUPE_OPTIONS.ttlMs;
  }

  /**
   * Claims an item for handling.
   * @returns a claim, or undefined when the item was already handled (a duplicate).
   */
  async claim(pageId: string, key: string): Promise<DedupeClaim | undefined> {
    const flightKey = JSON.stringify([pageId, key]);
    for (let running = this.#inFlight.get(flightKey); running !== undefined; running = this.#inFlight.get(flightKey))
      await running;
    const expiry = this.#seen.get(pageId)?.get(key);
    if (expiry !== undefined && expiry > Date.now()) return undefined;

    let done!: () => void;
    this.#inFlight.set(flightKey, new Promise<void>((resolve) => (done = resolve)));
    let settled = false;
    return {
      settle: (ok) => {
        if (settled) return;
        settled = true;
        if (ok) this.#remember(pageId, key);
        this.#inFlight.delete(flightKey);
        done();
      },
    };
  }

  /** How many keys are remembered for a page (tests, metrics). */
  size(pageId: string): number {
    return this.#seen.get(pageId)?.size ?? 0;
  }

  #remember(pageId: string, key: string): void {
    const now = Date.now();
    let seen = this.#seen.get(pageId);
    if (seen === undefined) this.#seen.set(pageId, (seen = new Map()));
    seen.delete(key);
    seen.set(key, now + this.#ttlMs);
    // Map order is insertion order, so the oldest (and, with one ttl, the first to expire) come first.
    for (const [oldest, expiry] of seen) {
      if (seen.size <= this.#maxEntries && expiry > now) break;
      seen.delete(oldest);
    }
  }
}

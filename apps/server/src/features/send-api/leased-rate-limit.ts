/**
 * The Send API rate limit shared by every process on one PostgreSQL database. Time is cut
 * into one-second windows (from the hub clock); each page has a shared counter per window
 * (rate-window-store.ts). A process leases the window's calls in blocks of
 * max(1, limit / 20) and spends them from memory, so most calls cost no round trip, and
 * since a lease never passes the limit, all processes together accept at most `limit`
 * calls per page per window. Calls leased but not spent lapse with their window.
 *
 * Leases do not go through the write queue: the limiter runs inside a write job, and its
 * counter must count even when that job's transaction rolls back.
 */
import { rateLimited, type PageRateLimiter } from './rate-limit.js';
import type { RateWindowStore } from './rate-window-store.js';

const WINDOW_MS = 1000;
/** How often a process deletes old windows, and how old they must be. */
const SWEEP_EVERY_MS = 60_000;
const SWEEP_AGE_MS = 10_000;

/** What this process holds of a page's current window. */
interface HeldWindow {
  start: number;
  /** Leased calls not spent yet. */
  tokens: number;
  /** The last lease got less than it asked for: the window is used up everywhere. */
  exhausted: boolean;
  /** The lease in flight; callers that find no token wait for it instead of leasing too. */
  leasing: Promise<void> | null;
  /** Calls waiting for that lease; the next lease asks for at least this many. */
  waiting: number;
}

export class LeasedRateLimiter implements PageRateLimiter {
  readonly #store: RateWindowStore;
  readonly #limit: number;
  readonly #block: number;
  readonly #held = new Map<string, HeldWindow>();
  /** The window each page held before its current one (what is left of it). */
  readonly #previous = new Map<string, HeldWindow>();
  #lastSweep = Number.NEGATIVE_INFINITY;

  constructor(store: RateWindowStore, perSecond: number) {
    this.#store = store;
    this.#limit = perSecond;
    this.#block = Math.max(1, Math.floor(perSecond / 20));
  }

  async take(pageId: string, now: number): Promise<void> {
    const start = now - (now % WINDOW_MS);
    this.#maybeSweep(start);
    for (;;) {
      let held = this.#held.get(pageId);
      if (held !== undefined && held.start > start) {
        // Stamped in a window this process has left (its transaction began before the second
        // changed, with several in flight): charged to its own window, so that no second,
        // counted by the time messages carry, ever passes the limit.
        return this.#takeLate(pageId, start);
      }
      if (held === undefined || held.start < start) {
        if (held !== undefined) this.#previous.set(pageId, held);
        held = { start, tokens: 0, exhausted: false, leasing: null, waiting: 0 };
        this.#held.set(pageId, held);
      }
      if (held.tokens > 0) {
        held.tokens -= 1;
        return;
      }
      if (held.exhausted) throw rateLimited();
      held.waiting += 1;
      held.leasing ??= this.#lease(pageId, held);
      try {
        await held.leasing;
      } finally {
        held.waiting -= 1;
      }
    }
  }

  /** A call for an earlier window: what this process kept of it, else one more call leased from it. */
  async #takeLate(pageId: string, start: number): Promise<void> {
    const previous = this.#previous.get(pageId);
    if (previous !== undefined && previous.start === start && previous.tokens > 0) {
      previous.tokens -= 1;
      return;
    }
    if ((await this.#store.lease(pageId, start, 1, this.#limit)) < 1) throw rateLimited();
  }

  async #lease(pageId: string, held: HeldWindow): Promise<void> {
    // Let the calls arriving in the same tick join this lease.
    await Promise.resolve();
    const want = Math.min(this.#limit, Math.max(this.#block, held.waiting));
    try {
      const granted = await this.#store.lease(pageId, held.start, want, this.#limit);
      held.tokens += granted;
      if (granted < want) held.exhausted = true;
    } finally {
      held.leasing = null;
    }
  }

  /** Once a minute: old windows are deleted from the store and forgotten here. */
  #maybeSweep(start: number): void {
    if (start - this.#lastSweep < SWEEP_EVERY_MS) return;
    this.#lastSweep = start;
    for (const [pageId, held] of this.#held) if (held.start < start && held.leasing === null) this.#held.delete(pageId);
    for (const [pageId, held] of this.#previous) if (held.start < start) this.#previous.delete(pageId);
    // Best effort: a failed sweep is retried a minute later and never fails a call.
    this.#store.sweep(start - SWEEP_AGE_MS).catch(() => undefined);
  }
}

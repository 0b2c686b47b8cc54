/**
 * Per-page Send API rate limit (reference §10: 300 calls/s per page). Embedded SQLite is one
 * process, so a token bucket in memory is exact; on PostgreSQL several processes share the
 * budget through leased blocks of each one-second window (leased-rate-limit.ts).
 */
import { PlatformError } from '@confide/protocol';

/** Spends one call of a page's budget, or throws `RATE_LIMITED` (613). */
export interface PageRateLimiter {
  take(pageId: string, now: number): Promise<void> | undefined;
}

/** The 613 answer, the same for every limiter. */
export function rateLimited(): PlatformError {
  return new PlatformError('RATE_LIMITED', { headers: { 'retry-after': '1' } });
}

/** A token bucket per page holding one second of calls, refilled continuously from the hub clock. */
export class TokenBucketLimiter implements PageRateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perSecond: number;

  constructor(perSecond: number) {
    this.perSecond = perSecond;
  }

  /** The bucket is in memory: a call within the budget answers at once (no promise), a refusal is a rejected promise. */
  take(pageId: string, now: number): Promise<void> | undefined {
    const bucket = this.#buckets.get(pageId) ?? { tokens: this.perSecond, at: now };
    const refill = (Math.max(0, now - bucket.at) * this.perSecond) / 1000;
    bucket.tokens = Math.min(this.perSecond, bucket.tokens + refill);
    bucket.at = now;
    this.#buckets.set(pageId, bucket);
    if (bucket.tokens < 1) return Promise.reject(rateLimited());
    bucket.tokens -= 1;
    return undefined;
  }
}

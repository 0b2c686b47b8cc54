/**
 * Per-page Send API rate limit (reference §10: 300 calls/s per page): a token bucket
 * holding one second of calls, refilled continuously from the hub clock. Process-local:
 * with several API processes each enforces the limit on its own share of traffic.
 */
import { PlatformError } from '@confide/protocol';

export class PageRateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perSecond: number;

  constructor(perSecond: number) {
    this.perSecond = perSecond;
  }

  /**
   * Spends one call of the page's budget.
   * @throws PlatformError `RATE_LIMITED` (613) when the bucket is empty.
   */
  take(pageId: string, now: number): void {
    const bucket = this.#buckets.get(pageId) ?? { tokens: this.perSecond, at: now };
    const refill = (Math.max(0, now - bucket.at) * this.perSecond) / 1000;
    bucket.tokens = Math.min(this.perSecond, bucket.tokens + refill);
    bucket.at = now;
    this.#buckets.set(pageId, bucket);
    if (bucket.tokens < 1) throw new PlatformError('RATE_LIMITED', { headers: { 'retry-after': '1' } });
    bucket.tokens -= 1;
  }
}

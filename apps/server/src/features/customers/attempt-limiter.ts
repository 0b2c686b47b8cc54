/**
 * Sliding-window counter of failed login attempts, per account and per IP. Kept in
 * memory: each hub process limits on its own, which still bounds guessing per process.
 */
export class AttemptLimiter {
  readonly #hits = new Map<string, number[]>();

  private readonly max: number;
  private readonly windowMs: number;
  constructor(max: number, windowMs: number) {
    this.max = max;
    this.windowMs = windowMs;
  }

  /** True when `key` has used up its attempts in the current window. */
  isBlocked(key: string, now: number): boolean {
    return this.#recent(key, now).length >= this.max;
  }

  /** Milliseconds until `key` may try again. */
  retryAfterMs(key: string, now: number): number {
    const recent = this.#recent(key, now);
    const oldest = recent[0];
    return oldest === undefined ? 0 : Math.max(0, oldest + this.windowMs - now);
  }

  record(key: string, now: number): void {
    const recent = this.#recent(key, now);
    recent.push(now);
    this.#hits.set(key, recent);
    if (this.#hits.size > 100_000) this.#sweep(now);
  }

  reset(key: string): void {
    this.#hits.delete(key);
  }

  #recent(key: string, now: number): number[] {
    return (this.#hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
  }

  #sweep(now: number): void {
    for (const [key, times] of this.#hits) if (times.every((t) => t <= now - this.windowMs)) this.#hits.delete(key);
  }
}

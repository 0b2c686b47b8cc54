/** Retry delays for webhook delivery: exponential backoff with full jitter. */

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /** Uniform random number in [0, 1); injectable for tests. */
  random?: () => number;
}

/**
 * Delay before retry number `attempt` (1 = the first retry): a uniform random value in
 * `[0, min(cap, base · 2^(attempt-1))]` ("full jitter"), so receivers that recover are not
 * hit by every hub at the same instant.
 */
export function retryDelayMs(attempt: number, { baseMs, capMs, random = Math.random }: BackoffOptions): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(capMs, baseMs * 2 ** exponent);
  return Math.floor(random() * (ceiling + 1));
}

/** Exponential backoff for the hub's retries (webhook delivery, the NATS reconnect loop). */

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /**
   * `full` (the default): a uniform delay in `[0, ceiling]`, whole milliseconds, so receivers
   * that recover are not hit by every hub at the same instant. `equal`: in `[ceiling/2, ceiling)`,
   * never much shorter than the ceiling (a reconnect loop that must not spin).
   */
  jitter?: 'full' | 'equal';
  /** Uniform random number in [0, 1); injectable for tests. */
  random?: () => number;
}

/**
 * Delay before retry number `attempt` (1 = the first retry): the ceiling is
 * `min(cap, base · 2^(attempt-1))`, then jittered.
 */
export function retryDelayMs(
  attempt: number,
  { baseMs, capMs, jitter = 'full', random = Math.random }: BackoffOptions,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(capMs, baseMs * 2 ** exponent);
  if (jitter === 'equal') return ceiling / 2 + random() * (ceiling / 2);
  return Math.floor(random() * (ceiling + 1));
}

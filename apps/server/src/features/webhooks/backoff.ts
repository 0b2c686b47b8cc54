/** Retry delays for webhook delivery: the hub's one backoff helper (backoff.ts), full jitter; kept for existing imports. */
export { retryDelayMs, type BackoffOptions } from '../../backoff.js';

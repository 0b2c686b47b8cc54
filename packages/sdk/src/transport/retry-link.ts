/**
 * @module transport/retry-link
 * Retries transient failures with exponential backoff and jitter, honouring `Retry-After`.
 */
import { isPlatformApiError } from '../errors.js';
import type { Link } from './link.js';

/** Options of {@link retryLink}. */
export interface RetryLinkOptions {
  /** Retries after the first attempt. Default 3. */
  retries?: number;
  /** Backoff base: the first retry waits about this long. Default 300 ms. */
  baseDelayMs?: number;
  /** Backoff ceiling. Default 10 s. */
  maxDelayMs?: number;
  /** A `Retry-After` longer than this is not waited for: the error is thrown. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Decides whether an error is worth retrying. Default {@link isTransientError}. */
  isRetryable?: (error: unknown) => boolean;
  /** Waits; replace in tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Uniform random in [0, 1); replace in tests. */
  random?: () => number;
}

const TRANSIENT_CODES: ReadonlySet<number> = new Set([1, 2, 4, 613]);

/**
 * Whether a failure is likely to pass on retry: network errors, HTTP 5xx and 429, the
 * Graph `is_transient` flag, and Graph codes 1, 2, 4 and 613. Code 100 (bad parameter)
 * and auth errors are never retried.
 */
export function isTransientError(error: unknown): boolean {
  if (!isPlatformApiError(error)) return false;
  if (error.isTransient || error.httpStatus >= 500 || error.httpStatus === 429) return true;
  return TRANSIENT_CODES.has(error.code) && error.type !== 'HttpException';
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Retries transient failures. The wait before retry `n` (0-based) is drawn from
 * `[d/2, d)` where `d = min(maxDelayMs, baseDelayMs * 2^n)`, unless the server sent
 * `Retry-After`. Note that a retried `POST /me/messages` after a 5xx or a dropped
 * connection may deliver the message twice; pass `isRetryable` to be stricter.
 * @example
 * const platform = new Platform({ baseUrl, accessToken, links: [loggerLink(), retryLink({ retries: 5 })] });
 */
export function retryLink(options: RetryLinkOptions = {}): Link {
  const {
    retries = 3,
    baseDelayMs = 300,
    maxDelayMs = 10_000,
    maxRetryAfterMs = 60_000,
    isRetryable = isTransientError,
    sleep = defaultSleep,
    random = Math.random,
  } = options;

  return async (request, next) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await next(request);
      } catch (error) {
        if (attempt >= retries || request.signal?.aborted || !isRetryable(error)) throw error;
        const retryAfter = isPlatformApiError(error) ? error.retryAfterMs() : undefined;
        if (retryAfter !== undefined && retryAfter > maxRetryAfterMs) throw error;
        const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
        await sleep(retryAfter ?? ceiling / 2 + random() * (ceiling / 2));
      }
    }
  };
}

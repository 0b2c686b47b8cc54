/**
 * @module transport/logger-link
 * Logs each call and its outcome. Never logs the query string (it holds the token).
 */
import { isPlatformApiError } from '../errors.js';
import type { HttpMethod, Link } from './link.js';

/** One log line of {@link loggerLink}. */
export interface LogEntry {
  direction: 'request' | 'response' | 'error';
  method: HttpMethod;
  path: string;
  status?: number;
  durationMs?: number;
  /** Graph code and trace id of a failed call. */
  code?: number;
  traceId?: string | undefined;
  error?: unknown;
}

/** Options of {@link loggerLink}. */
export interface LoggerLinkOptions {
  /** Receives every entry. Default: `console.debug` / `console.warn`. */
  log?: (entry: LogEntry) => void;
  /** Clock; replace in tests. */
  now?: () => number;
}

const defaultLog = (entry: LogEntry): void => {
  const line =
    `[confide] ${entry.direction} ${entry.method} ${entry.path}` +
    (entry.status === undefined ? '' : ` ${entry.status}`);
  (entry.direction === 'error' ? console.warn : console.debug)(
    line,
    entry.durationMs === undefined ? '' : `${entry.durationMs}ms`,
  );
};

/**
 * Logs requests, responses and failures. Place it before `retryLink` to log once per
 * call, after it to log every attempt.
 * @example
 * new Platform({ baseUrl, accessToken, links: [loggerLink({ log: (e) => pino.debug(e) })] });
 */
export function loggerLink(options: LoggerLinkOptions = {}): Link {
  const { log = defaultLog, now = Date.now } = options;
  return async (request, next) => {
    const { method, path } = request;
    const started = now();
    log({ direction: 'request', method, path });
    try {
      const response = await next(request);
      log({ direction: 'response', method, path, status: response.status, durationMs: now() - started });
      return response;
    } catch (error) {
      const entry: LogEntry = { direction: 'error', method, path, durationMs: now() - started, error };
      if (isPlatformApiError(error))
        Object.assign(entry, { status: error.httpStatus, code: error.code, traceId: error.traceId });
      log(entry);
      throw error;
    }
  };
}

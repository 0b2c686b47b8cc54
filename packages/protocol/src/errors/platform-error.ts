import { ERROR_CATALOG, type ErrorKey, type ErrorSpec } from './catalog.js';

/** Options that refine a catalogue error at the throw site. */
export interface PlatformErrorOptions {
  /** Replaces the catalogue message (still prefixed with `(#code)` on the Graph envelope). */
  message?: string;
  /** Machine-readable detail, e.g. the failing field path. Exposed to the caller. */
  detail?: Record<string, unknown>;
  /** The underlying error, never exposed. */
  cause?: unknown;
  /** Extra HTTP headers for the response (e.g. Retry-After). */
  headers?: Record<string, string>;
}

/** The one error type thrown by server code and rendered in one place. */
export class PlatformError extends Error {
  override readonly name = 'PlatformError';
  readonly key: ErrorKey;
  readonly spec: ErrorSpec;
  readonly detail: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(key: ErrorKey, options: PlatformErrorOptions = {}) {
    const spec: ErrorSpec = ERROR_CATALOG[key];
    super(options.message ?? spec.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.key = key;
    this.spec = spec;
    this.detail = options.detail;
    this.headers = options.headers;
  }

  /** HTTP status of the response. */
  get status(): number {
    return this.spec.status;
  }

  /** Whether the message may be shown to the caller (never for 5xx). */
  get expose(): boolean {
    return this.spec.status < 500;
  }
}

/** Narrows an unknown value to a PlatformError. */
export function isPlatformError(value: unknown): value is PlatformError {
  return value instanceof PlatformError;
}

/**
 * @module errors
 * The SDK's error family. Every failure of a Platform API call surfaces as a
 * {@link PlatformApiError} carrying the Graph envelope's fields, so callers branch on
 * `code` / `subcode` exactly as Messenger clients do.
 */
import { ERROR_CATALOG, GraphErrorEnvelopeSchema, type ErrorKey, type SignatureFailureReason } from '@confide/protocol';

/** Fields a {@link PlatformApiError} is built from. */
export interface PlatformApiErrorOptions {
  message: string;
  /** Graph `code`, e.g. 190 or 613. */
  code: number;
  /** Graph `error_subcode`, e.g. 2018278. */
  subcode?: number | undefined;
  /** Graph `type`, e.g. `OAuthException`. */
  type?: string | undefined;
  /** HTTP status of the response; 0 when no response arrived. */
  httpStatus: number;
  /** Graph `fbtrace_id`, quoted in support requests. */
  traceId?: string | undefined;
  /** Graph `is_transient`. */
  isTransient?: boolean | undefined;
  /** Localised title and message safe to show to an end user. */
  userTitle?: string | undefined;
  userMessage?: string | undefined;
  /** The raw response body (or the envelope's `error_data`). */
  data?: unknown;
  /** Response headers, read for `Retry-After`. */
  headers?: Headers | undefined;
  cause?: unknown;
}

const RATE_LIMIT_CODES: ReadonlySet<number> = new Set([4, 17, 32, 613, ERROR_CATALOG.RATE_LIMITED.code]);
const AUTH_CODES: ReadonlySet<number> = new Set([102, 190, ERROR_CATALOG.INVALID_ACCESS_TOKEN.code]);
const OUTSIDE_WINDOW_SUBCODES: ReadonlySet<number> = new Set([ERROR_CATALOG.OUTSIDE_WINDOW.subcode, 2534022, 1545041]);

/**
 * An error answered by the Platform API (or a failure to reach it), with the fields of
 * the Graph error envelope.
 * @example
 * try {
 *   await platform.messages.sendProactiveUpdate(psid, { text: 'Card blocked' }, { tag: 'ACCOUNT_UPDATE' });
 * } catch (err) {
 *   if (isPlatformApiError(err) && err.isConsentError()) askForConsent(psid);
 *   else throw err;
 * }
 */
export class PlatformApiError extends Error {
  override name = 'PlatformApiError';
  readonly code: number;
  readonly subcode: number | undefined;
  readonly type: string;
  readonly httpStatus: number;
  readonly traceId: string | undefined;
  readonly isTransient: boolean;
  readonly userTitle: string | undefined;
  readonly userMessage: string | undefined;
  readonly data: unknown;
  readonly headers: Headers | undefined;

  constructor(options: PlatformApiErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.subcode = options.subcode;
    this.type = options.type ?? 'OAuthException';
    this.httpStatus = options.httpStatus;
    this.traceId = options.traceId;
    this.isTransient = options.isTransient ?? false;
    this.userTitle = options.userTitle;
    this.userMessage = options.userMessage;
    this.data = options.data;
    this.headers = options.headers;
  }

  /**
   * Builds the error from an HTTP response body. A Graph envelope gives every field;
   * anything else (a proxy's HTML 502, say) becomes code 1 "unknown error".
   * @param httpStatus the response status.
   * @param body the parsed JSON body, or the text when it was not JSON.
   * @param headers the response headers.
   */
  static fromResponse(httpStatus: number, body: unknown, headers?: Headers): PlatformApiError {
    const parsed = GraphErrorEnvelopeSchema.safeParse(body);
    if (!parsed.success) {
      return new PlatformApiError({
        message: `Platform API answered HTTP ${httpStatus} without a Graph error envelope`,
        code: 1,
        type: 'HttpException',
        httpStatus,
        isTransient: httpStatus >= 500 || httpStatus === 429,
        data: body,
        headers,
      });
    }
    const e = parsed.data.error;
    return new PlatformApiError({
      message: e.message,
      code: e.code,
      subcode: e.error_subcode,
      type: e.type,
      httpStatus,
      traceId: e.fbtrace_id,
      isTransient: e.is_transient,
      userTitle: e.error_user_title,
      userMessage: e.error_user_msg,
      data: body,
      headers,
    });
  }

  /** The catalogue key this error matches, e.g. `OUTSIDE_WINDOW`, if any. */
  get key(): ErrorKey | undefined {
    const entries = Object.entries(ERROR_CATALOG) as [ErrorKey, (typeof ERROR_CATALOG)[ErrorKey]][];
    const matches = entries.filter(
      ([, s]) => s.code === this.code && ('subcode' in s ? s.subcode : undefined) === this.subcode,
    );
    // Platform and customer API entries can share code and subcode; the type breaks the tie.
    return (matches.find(([, s]) => s.type === this.type) ?? matches[0])?.[0];
  }

  /** Whether the call was throttled (codes 4, 17, 32, 613, or HTTP 429). */
  isRateLimit(): boolean {
    return RATE_LIMIT_CODES.has(this.code) || this.httpStatus === 429;
  }

  /**
   * How long to wait before retrying, from `Retry-After` (seconds or an HTTP date) or
   * `error_data.retry_after_ms`; undefined when the server gave no hint.
   */
  retryAfterMs(): number | undefined {
    const header = this.headers?.get('retry-after');
    if (header) {
      const seconds = Number(header);
      if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
      const date = Date.parse(header);
      if (!Number.isNaN(date)) return Math.max(0, date - Date.now());
    }
    const errorData = readErrorData(this.data);
    const ms = errorData?.['retry_after_ms'];
    return typeof ms === 'number' && ms >= 0 ? ms : undefined;
  }

  /** Whether the access token (or appsecret_proof) was refused (code 190, 102 or HTTP 401). */
  isAuthError(): boolean {
    return AUTH_CODES.has(this.code) || this.httpStatus === 401;
  }

  /** Confide: a proactive update the customer has not consented to (code 10, subcode 1400001). */
  isConsentError(): boolean {
    return this.code === ERROR_CATALOG.CONSENT_REQUIRED.code && this.subcode === ERROR_CATALOG.CONSENT_REQUIRED.subcode;
  }

  /** The 24-hour (or tag) messaging window is closed (code 10, subcode 2018278 and kin). */
  isOutsideWindow(): boolean {
    return (
      this.code === ERROR_CATALOG.OUTSIDE_WINDOW.code &&
      this.subcode !== undefined &&
      OUTSIDE_WINDOW_SUBCODES.has(this.subcode)
    );
  }
}

const readErrorData = (data: unknown): Record<string, unknown> | undefined => {
  const parsed = GraphErrorEnvelopeSchema.safeParse(data);
  return parsed.success ? parsed.data.error.error_data : undefined;
};

/**
 * The Platform API could not be reached (DNS, refused connection, reset, timeout).
 * Always transient; `cause` holds what `fetch` threw.
 */
export class PlatformNetworkError extends PlatformApiError {
  override name = 'PlatformNetworkError';
  constructor(cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super({
      message: `Platform API unreachable: ${detail}`,
      code: 2,
      type: 'NetworkException',
      httpStatus: 0,
      isTransient: true,
      cause,
    });
  }
}

/**
 * A webhook POST whose signature did not verify. `reason` says why; `httpStatus` (401)
 * is what a receiver should answer.
 */
export class WebhookSignatureError extends PlatformApiError {
  override name = 'WebhookSignatureError';
  readonly reason: SignatureFailureReason;
  constructor(reason: SignatureFailureReason) {
    super({
      message: `Invalid webhook signature: ${reason.replace('_', ' ')}`,
      code: 190,
      type: 'SignatureException',
      httpStatus: 401,
    });
    this.reason = reason;
  }
}

/** Why a verification handshake was refused. */
export type WebhookVerificationFailure = 'mode' | 'verify_token' | 'challenge';

/** A GET verification handshake that must be refused (HTTP 403, as in Meta's sample). */
export class WebhookVerificationError extends PlatformApiError {
  override name = 'WebhookVerificationError';
  readonly reason: WebhookVerificationFailure;
  constructor(reason: WebhookVerificationFailure) {
    super({
      message: `Webhook verification refused: bad ${reason}`,
      code: 10,
      type: 'VerificationException',
      httpStatus: 403,
    });
    this.reason = reason;
  }
}

/**
 * Narrows an unknown throwable to a {@link PlatformApiError} (including its subclasses).
 * @example
 * catch (err) { if (isPlatformApiError(err) && err.isRateLimit()) await wait(err.retryAfterMs() ?? 1000); }
 */
export function isPlatformApiError(value: unknown): value is PlatformApiError {
  return value instanceof PlatformApiError;
}

/** A webhook body that is not JSON or not a webhook envelope (HTTP 400). */
export class WebhookPayloadError extends PlatformApiError {
  override name = 'WebhookPayloadError';
  constructor(message: string, cause?: unknown) {
    super({ message, code: 100, type: 'PayloadException', httpStatus: 400, cause });
  }
}

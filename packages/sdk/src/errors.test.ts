import { describe, expect, it } from 'vitest';
import { PlatformApiError, PlatformNetworkError, WebhookSignatureError, isPlatformApiError } from './errors.js';

const envelope = (error: Record<string, unknown>) => ({
  error: { message: '(#10) failed', type: 'OAuthException', fbtrace_id: 'AbC/trace', ...error },
});

describe('PlatformApiError.fromResponse', () => {
  it('copies the Graph envelope fields', () => {
    const body = envelope({
      code: 10,
      error_subcode: 2018278,
      error_user_title: 'Too late',
      error_user_msg: 'Window closed',
      is_transient: false,
    });
    const err = PlatformApiError.fromResponse(400, body, new Headers());
    expect(err).toMatchObject({
      message: '(#10) failed',
      code: 10,
      subcode: 2018278,
      type: 'OAuthException',
      traceId: 'AbC/trace',
      httpStatus: 400,
      userTitle: 'Too late',
      userMessage: 'Window closed',
      isTransient: false,
      data: body,
    });
    expect(err.key).toBe('OUTSIDE_WINDOW');
    expect(err.isOutsideWindow()).toBe(true);
    expect(err.isConsentError()).toBe(false);
  });

  it('recognises Confide CONSENT_REQUIRED (10 / 1400001)', () => {
    const err = PlatformApiError.fromResponse(400, envelope({ code: 10, error_subcode: 1400001 }));
    expect(err.isConsentError()).toBe(true);
    expect(err.key).toBe('CONSENT_REQUIRED');
    expect(err.isOutsideWindow()).toBe(false);
  });

  it('falls back to code 1 for a body that is not an envelope', () => {
    const err = PlatformApiError.fromResponse(502, '<html>Bad gateway</html>');
    expect(err).toMatchObject({
      code: 1,
      type: 'HttpException',
      httpStatus: 502,
      isTransient: true,
      data: '<html>Bad gateway</html>',
    });
  });

  it('flags auth errors', () => {
    expect(PlatformApiError.fromResponse(400, envelope({ code: 190 })).isAuthError()).toBe(true);
    expect(PlatformApiError.fromResponse(400, envelope({ code: 100 })).isAuthError()).toBe(false);
  });
});

describe('PlatformApiError rate limits', () => {
  it('flags codes 4 and 613 and HTTP 429 as rate limits', () => {
    expect(PlatformApiError.fromResponse(400, envelope({ code: 613 })).isRateLimit()).toBe(true);
    expect(PlatformApiError.fromResponse(400, envelope({ code: 4 })).isRateLimit()).toBe(true);
    expect(PlatformApiError.fromResponse(429, envelope({ code: 4, error_subcode: 1400009 })).isRateLimit()).toBe(true);
    expect(PlatformApiError.fromResponse(400, envelope({ code: 100 })).isRateLimit()).toBe(false);
  });

  it('reads Retry-After in seconds', () => {
    const err = PlatformApiError.fromResponse(429, envelope({ code: 613 }), new Headers({ 'Retry-After': '7' }));
    expect(err.retryAfterMs()).toBe(7000);
  });

  it('reads Retry-After as an HTTP date', () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    const ms = PlatformApiError.fromResponse(
      429,
      envelope({ code: 613 }),
      new Headers({ 'retry-after': at }),
    ).retryAfterMs();
    expect(ms).toBeGreaterThan(25_000);
    expect(ms).toBeLessThanOrEqual(30_000);
  });

  it('reads error_data.retry_after_ms when there is no header', () => {
    const err = PlatformApiError.fromResponse(400, envelope({ code: 613, error_data: { retry_after_ms: 1500 } }));
    expect(err.retryAfterMs()).toBe(1500);
  });

  it('has no retry hint by default', () => {
    expect(PlatformApiError.fromResponse(400, envelope({ code: 613 })).retryAfterMs()).toBeUndefined();
  });
});

describe('isPlatformApiError', () => {
  it('accepts the whole error family and nothing else', () => {
    expect(isPlatformApiError(new PlatformNetworkError(new TypeError('fetch failed')))).toBe(true);
    expect(isPlatformApiError(new WebhookSignatureError('mismatch'))).toBe(true);
    expect(isPlatformApiError(new Error('x'))).toBe(false);
    expect(isPlatformApiError({ code: 190 })).toBe(false);
  });

  it('marks network errors transient with status 0', () => {
    expect(new PlatformNetworkError(new TypeError('fetch failed'))).toMatchObject({ httpStatus: 0, isTransient: true });
  });
});

/**
 * Why a single sign-on callback was refused, with the text the browser shows. Nothing is
 * written for any of them; the security-relevant ones are audited by the caller.
 */

export type SsoRefusal =
  | 'idp_error'
  | 'state_missing'
  | 'state_mismatch'
  | 'nonce_mismatch'
  | 'token_refused'
  | 'invalid_id_token'
  | 'unknown_subject'
  | 'provider_unreachable';

const MESSAGES: Record<SsoRefusal, { status: number; message: string }> = {
  idp_error: { status: 401, message: 'The identity provider did not sign you in.' },
  state_missing: {
    status: 400,
    message: 'This sign-in link has expired or was opened in another browser. Start the sign-in again.',
  },
  state_mismatch: { status: 400, message: 'This sign-in response does not belong to this browser. Start again.' },
  nonce_mismatch: { status: 400, message: 'The identity provider answered for another sign-in. Start again.' },
  token_refused: { status: 401, message: 'The identity provider refused to complete the sign-in. Start again.' },
  invalid_id_token: { status: 401, message: 'The identity provider sent an identity that could not be verified.' },
  unknown_subject: {
    status: 403,
    message: 'Your identity provider account is not linked to an account here. Ask your administrator to link it.',
  },
  provider_unreachable: { status: 503, message: 'The identity provider cannot be reached. Try again later.' },
};

/** A refused sign-in: `reason` is stable (tests, audit), `message` is for people. */
export class SsoError extends Error {
  override readonly name = 'SsoError';
  readonly reason: SsoRefusal;
  readonly status: number;
  constructor(reason: SsoRefusal, options?: { cause?: unknown }) {
    super(MESSAGES[reason].message, options);
    this.reason = reason;
    this.status = MESSAGES[reason].status;
  }
}

/** Refusals that point at a forged or replayed response rather than a user mistake: audited. */
export function isSecurityEvent(reason: SsoRefusal): boolean {
  return reason !== 'provider_unreachable';
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** A small page for a refused sign-in (the callback is a browser navigation), with a way back. */
export function refusalPage(error: SsoError, back: string): string {
  const text = error.message.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
  const href = back.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in refused</title></head><body><main><h1>Sign-in refused</h1><p>${text}</p><p>Reason: <code>${error.reason}</code></p><p><a href="${href}">Back to sign-in</a></p></main></body></html>`;
}

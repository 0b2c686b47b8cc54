/**
 * The pending sign-in, bound to the browser that started it: state, nonce and PKCE verifier
 * sealed under the service key into a short-lived HttpOnly, SameSite=Lax cookie (Lax so the
 * provider's top-level redirect back carries it). Nothing is stored on the hub until the
 * callback succeeds.
 */
import { z } from 'zod';
import type { SecretBox } from '../../crypto/secret-box.js';
import { SsoError } from './errors.js';
import type { SsoSurface } from './settings.js';

export const SSO_STATE_COOKIE = 'confide_sso';
/** How long a started sign-in may take at the provider. */
export const SSO_STATE_TTL_MS = 10 * 60_000;

const PendingSchema = z.object({
  state: z.string().min(1),
  nonce: z.string().min(1),
  verifier: z.string().min(43),
  expires_at: z.number(),
});
export type PendingSignIn = z.infer<typeof PendingSchema>;

const aad = (surface: SsoSurface) => `sso-state:${surface}`;

export function sealPending(secrets: SecretBox, surface: SsoSurface, pending: PendingSignIn): string {
  return secrets.seal(JSON.stringify(pending), aad(surface));
}

/**
 * The pending sign-in of this browser for `surface`.
 * @throws SsoError `state_missing` when there is none, it was sealed for another surface or key, or it expired.
 */
export function openPending(
  secrets: SecretBox,
  surface: SsoSurface,
  cookie: string | undefined,
  now: number,
): PendingSignIn {
  if (cookie === undefined || cookie.length > 2_000) throw new SsoError('state_missing');
  let pending: PendingSignIn;
  try {
    pending = PendingSchema.parse(JSON.parse(secrets.open(cookie, aad(surface))));
  } catch {
    throw new SsoError('state_missing');
  }
  if (pending.expires_at <= now) throw new SsoError('state_missing');
  return pending;
}

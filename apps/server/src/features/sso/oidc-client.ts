/**
 * One surface's OpenID Connect client over `openid-client`: discovery from the issuer
 * (cached; retried after a failure), the authorization request with PKCE (S256), state and
 * nonce, the callback (state checked against the browser's sealed pending sign-in before the
 * provider is called; the ID token's signature, issuer, audience, nonce and expiry checked by
 * openid-client), and the refresh that re-confirms a session with the provider.
 */
import * as oidc from 'openid-client';
import type { SecretBox } from '../../crypto/secret-box.js';
import { safeEqual } from '../../crypto/tokens.js';
import { SsoError } from './errors.js';
import type { SsoSettings, SsoSurface } from './settings.js';
import { openPending, sealPending, SSO_STATE_TTL_MS } from './state-cookie.js';

/** Who the provider signed in. */
export interface SsoIdentity {
  /** The ID token's `sub`: the account link key. */
  subject: string;
  /** For the session re-check; null when the provider issued none. */
  refreshToken: string | null;
}

/** The provider's answer to a session re-check. */
export type SsoConfirmation = { alive: true; refreshToken: string } | { alive: false };

const SCOPE = 'openid offline_access';

export class SsoClient {
  readonly settings: SsoSettings;
  readonly #secrets: SecretBox;
  readonly #now: () => number;
  #config: Promise<oidc.Configuration> | undefined;

  constructor(settings: SsoSettings, secrets: SecretBox, now: () => number) {
    this.settings = settings;
    this.#secrets = secrets;
    this.#now = now;
  }

  get surface(): SsoSurface {
    return this.settings.surface;
  }

  /** Starts a sign-in: the provider URL to redirect to and the sealed value of the state cookie. */
  async begin(): Promise<{ url: string; cookie: string }> {
    const config = await this.#discover();
    const pending = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier: oidc.randomPKCECodeVerifier(),
      expires_at: this.#now() + SSO_STATE_TTL_MS,
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: SCOPE,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, cookie: sealPending(this.#secrets, this.surface, pending) };
  }

  /**
   * Completes a sign-in from the callback's query and the browser's state cookie.
   * @throws SsoError with the reason it was refused.
   */
  async finish(query: Record<string, string | undefined>, cookie: string | undefined): Promise<SsoIdentity> {
    const pending = openPending(this.#secrets, this.surface, cookie, this.#now());
    if (query['state'] === undefined || !safeEqual(query['state'], pending.state)) throw new SsoError('state_mismatch');
    if (query['error'] !== undefined) throw new SsoError('idp_error');
    const config = await this.#discover();
    const current = new URL(this.settings.redirectUri);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) current.searchParams.set(key, value);
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      throw refusalOf(err);
    }
    const claims = tokens.claims();
    if (claims === undefined || typeof claims.sub !== 'string') throw new SsoError('invalid_id_token');
    return { subject: claims.sub, refreshToken: tokens.refresh_token ?? null };
  }

  /**
   * Asks the provider whether the session still stands, by a refresh. `invalid_grant` (the
   * account was disabled, the grant revoked) means it ended.
   * @throws when the provider cannot be reached or answers otherwise: the session is kept until the next check.
   */
  async confirm(refreshToken: string): Promise<SsoConfirmation> {
    const config = await this.#discover();
    try {
      const tokens = await oidc.refreshTokenGrant(config, refreshToken);
      return { alive: true, refreshToken: tokens.refresh_token ?? refreshToken };
    } catch (err) {
      if (err instanceof oidc.ResponseBodyError && err.error === 'invalid_grant') return { alive: false };
      throw err;
    }
  }

  #discover(): Promise<oidc.Configuration> {
    if (this.#config === undefined) {
      const { issuer, clientId, clientSecret, allowHttp } = this.settings;
      // Without a secret the hub is a public client (PKCE only); with one it posts it (client_secret_post).
      const auth = clientSecret === undefined ? oidc.None() : oidc.ClientSecretPost(clientSecret);
      const discovered = oidc.discovery(issuer, clientId, clientSecret, auth, {
        execute: allowHttp ? [oidc.allowInsecureRequests] : [],
      });
      this.#config = discovered;
      // A failed discovery is not cached: the next sign-in tries again.
      discovered.catch(() => {
        if (this.#config === discovered) this.#config = undefined;
      });
    }
    return this.#config.catch((err: unknown) => {
      throw new SsoError('provider_unreachable', { cause: err });
    });
  }
}

/** Maps an openid-client failure of the code exchange to the refusal shown. */
function refusalOf(err: unknown): SsoError {
  if (err instanceof SsoError) return err;
  if (err instanceof oidc.AuthorizationResponseError) return new SsoError('idp_error', { cause: err });
  if (err instanceof oidc.ResponseBodyError) return new SsoError('token_refused', { cause: err });
  if (claimOf(err) === 'nonce') return new SsoError('nonce_mismatch', { cause: err });
  if (err instanceof oidc.ClientError) return new SsoError('invalid_id_token', { cause: err });
  return new SsoError('provider_unreachable', { cause: err });
}

/** The ID token claim a failed comparison was about (openid-client nests it in the error's causes). */
function claimOf(err: unknown): string | undefined {
  let cause: unknown = err;
  for (let depth = 0; depth < 4 && typeof cause === 'object' && cause !== null; depth++) {
    const claim = (cause as { claim?: unknown }).claim;
    if (typeof claim === 'string') return claim;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Which sign-in surfaces have OpenID Connect single sign-on, from the OIDC_* variables:
 * a surface is on when its issuer is set, and then needs its client id.
 */
import type { Config } from '../../config.js';

/** The two surfaces that can sign in through a provider: agents (/inbox) and console members (/console). */
export type SsoSurface = 'agents' | 'console';

export interface SsoSettings {
  surface: SsoSurface;
  issuer: URL;
  clientId: string;
  clientSecret: string | undefined;
  redirectUri: string;
  /** Plain-http issuers are accepted outside production only (a local provider in development and tests). */
  allowHttp: boolean;
}

const CALLBACK_PATH: Record<SsoSurface, string> = {
  agents: '/inbox/api/sso/callback',
  console: '/console/api/sso/callback',
};

/**
 * The settings of `surface`, or undefined when its issuer is not configured.
 * @throws Error when the issuer is set without a client id, or is plain http in production.
 */
export function ssoSettings(config: Config, surface: SsoSurface): SsoSettings | undefined {
  const prefix = surface === 'agents' ? 'OIDC_AGENTS' : 'OIDC_CONSOLE';
  const issuer = config[`${prefix}_ISSUER`];
  if (issuer === undefined) return undefined;
  const clientId = config[`${prefix}_CLIENT_ID`];
  if (clientId === undefined) throw new Error(`${prefix}_CLIENT_ID is required with ${prefix}_ISSUER`);
  const production = config.NODE_ENV === 'production';
  if (production && !issuer.startsWith('https://')) throw new Error(`${prefix}_ISSUER must be https in production`);
  return {
    surface,
    issuer: new URL(issuer),
    clientId,
    clientSecret: config[`${prefix}_CLIENT_SECRET`],
    redirectUri: config[`${prefix}_REDIRECT_URI`] ?? `${config.publicUrl}${CALLBACK_PATH[surface]}`,
    allowHttp: !production,
  };
}

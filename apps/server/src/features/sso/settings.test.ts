import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { productionEnv } from '../../../test/helpers.js';
import { ssoSettings } from './settings.js';

const base = { NODE_ENV: 'test', LOG_LEVEL: 'silent', PUBLIC_URL: 'https://hub.example' } as const;
const quiet = () => undefined;

describe('single sign-on settings', () => {
  it('is off while the issuer is unset or empty', () => {
    expect(ssoSettings(loadConfig({ ...base }, quiet), 'agents')).toBeUndefined();
    expect(ssoSettings(loadConfig({ ...base, OIDC_CONSOLE_ISSUER: '' }, quiet), 'console')).toBeUndefined();
  });

  it('defaults the redirect URI to the surface callback under PUBLIC_URL', () => {
    const config = loadConfig(
      { ...base, OIDC_AGENTS_ISSUER: 'https://idp.example/realms/bank', OIDC_AGENTS_CLIENT_ID: 'hub' },
      quiet,
    );
    expect(ssoSettings(config, 'agents')).toMatchObject({
      clientId: 'hub',
      clientSecret: undefined,
      redirectUri: 'https://hub.example/inbox/api/sso/callback',
      allowHttp: true,
    });
    expect(ssoSettings(config, 'console')).toBeUndefined();
  });

  it('refuses an issuer without a client id, a malformed issuer, and plain http in production', () => {
    expect(() =>
      ssoSettings(loadConfig({ ...base, OIDC_CONSOLE_ISSUER: 'https://idp.example' }, quiet), 'console'),
    ).toThrow(/OIDC_CONSOLE_CLIENT_ID is required/);
    expect(() => loadConfig({ ...base, OIDC_AGENTS_ISSUER: 'not a url' }, quiet)).toThrow(/OIDC_AGENTS_ISSUER/);
    const production = loadConfig(
      {
        ...base,
        ...productionEnv(),
        OIDC_AGENTS_ISSUER: 'http://idp.internal',
        OIDC_AGENTS_CLIENT_ID: 'hub',
      },
      quiet,
    );
    expect(() => ssoSettings(production, 'agents')).toThrow(/must be https in production/);
  });
});

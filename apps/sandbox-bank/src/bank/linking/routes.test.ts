import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bankHarness, type Harness } from '../../../test/bank-harness.js';
import { linkedEvent } from '../../../test/fake-hub.js';
import { withAuthorizationCode } from './routes.js';

const REDIRECT = 'http://hub.test/linking/callback?state=abc';
let h: Harness;
beforeEach(async () => {
  h = await bankHarness();
  h.hub.linkingTokens.set('ALT-1', 'psid-alice');
});
afterEach(() => h.bank.close());

const form = (fields: Record<string, string>) => ({
  method: 'POST' as const,
  url: '/link',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams({ account_linking_token: 'ALT-1', redirect_uri: REDIRECT, ...fields }).toString(),
});

describe('bank log-in page for account linking', () => {
  it('renders a form carrying the token and redirect_uri, escaped', async () => {
    const res = await h.bank.app.inject({
      url: `/link?account_linking_token=ALT-1&redirect_uri=${encodeURIComponent(REDIRECT)}`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.body).toContain('name="account_linking_token" value="ALT-1"');
    expect(res.body).toContain(`value="http://hub.test/linking/callback?state=abc"`);
  });

  it('refuses a redirect_uri outside the hub (no open redirect)', async () => {
    const res = await h.bank.app.inject({
      url: `/link?account_linking_token=ALT-1&redirect_uri=${encodeURIComponent('https://evil.example/x?')}`,
    });
    expect(res.statusCode).toBe(400);
    expect(
      (await h.bank.app.inject(form({ redirect_uri: 'https://evil.example/?', action: 'cancel' }))).statusCode,
    ).toBe(400);
  });

  it('rejects wrong bank credentials without minting a code', async () => {
    const res = await h.bank.app.inject(form({ username: 'alice', password: 'alice-demo-password', action: 'login' }));
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('Wrong username or password');
    expect(await h.bank.db.selectFrom('link_codes').selectAll().execute()).toEqual([]);
  });

  it('on success asks the hub for the PSID and redirects with an unguessable code the webhook then confirms', async () => {
    const res = await h.bank.app.inject(form({ username: 'alice', password: 'alice-bank-pass', action: 'login' }));
    expect(res.statusCode).toBe(303);
    const location = res.headers.location as string;
    expect(location.startsWith(`${REDIRECT}&authorization_code=`)).toBe(true);
    const code = new URL(location).searchParams.get('authorization_code') ?? '';
    expect(code).toMatch(/^[\w-]{43}$/);
    expect(h.hub.requests.find((r) => r.path === '/me')?.query).toMatchObject({
      fields: 'recipient',
      account_linking_token: 'ALT-1',
    });
    expect(await h.deliver(linkedEvent('psid-alice', code))).toBe(200);
    expect(await h.bank.links.customerOf('psid-alice')).toBe('cus_alice');
    // A code works once.
    expect(await h.deliver(linkedEvent('psid-alice', code))).toBe(500);
  });

  it('cancel goes back to redirect_uri without a code', async () => {
    const res = await h.bank.app.inject(form({ action: 'cancel' }));
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(REDIRECT);
  });

  it('an expired linking token goes back without a code', async () => {
    const res = await h.bank.app.inject(
      form({ account_linking_token: 'EXPIRED', username: 'bob', password: 'bob-bank-pass', action: 'login' }),
    );
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(REDIRECT);
  });

  it('appends the code with ? when redirect_uri has no query', () => {
    expect(withAuthorizationCode('http://hub.test/cb', 'x')).toBe('http://hub.test/cb?authorization_code=x');
  });
});

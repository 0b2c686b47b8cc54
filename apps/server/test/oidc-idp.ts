/**
 * A real OpenID provider for the single sign-on tests: oidc-provider 8 on loopback over http,
 * with one confidential client per surface, its development login page (any login is
 * accepted; the login becomes the `sub`), refresh tokens for every code grant, and a way to
 * disable an account (its refresh then fails with invalid_grant). `signIn` drives a browser's
 * trip through the provider with a cookie jar and returns the callback URL the provider sends
 * the browser back to.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestIdpClient {
  client_id: string;
  client_secret: string;
  redirect_uri: string;
}

export interface TestIdp {
  issuer: string;
  /** Accounts whose next token request is refused (as if disabled at the provider). */
  disabled: Set<string>;
  /** Runs the provider's login and consent for `login`, from the hub's redirect; returns the callback URL. */
  signIn(authorizationUrl: string, login: string): Promise<URL>;
  close(): Promise<void>;
}

export async function startTestIdp(clients: TestIdpClient[]): Promise<TestIdp> {
  let handler: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_req, res) => res.end();
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const disabled = new Set<string>();
  const provider = new Provider(issuer, {
    clients: clients.map((c) => ({
      client_id: c.client_id,
      client_secret: c.client_secret,
      redirect_uris: [c.redirect_uri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    })),
    findAccount: async (_ctx: unknown, id: string) =>
      disabled.has(id) ? undefined : { accountId: id, claims: async () => ({ sub: id }) },
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) =>
      client.grantTypeAllowed('refresh_token'),
    // Every refresh returns a new refresh token (the old one is then spent), as many providers do.
    rotateRefreshToken: true,
    ttl: { Session: 3600, Grant: 3600, Interaction: 600, AccessToken: 600, IdToken: 600, RefreshToken: 3600 },
    cookies: { keys: ['confide-test-idp-cookie-key'] },
    features: { devInteractions: { enabled: true } },
  });
  // The development keys and interactions are expected here.
  provider.on('server_error', () => undefined);
  handler = provider.callback();
  return {
    issuer,
    disabled,
    signIn: (url, login) => browse(issuer, url, login),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Follows the provider's redirects and submits its login and consent forms until it sends the browser elsewhere. */
async function browse(issuer: string, start: string, login: string): Promise<URL> {
  const jar = new Map<string, string>();
  let next: { url: string; method: 'GET' | 'POST'; body?: string } = { url: start, method: 'GET' };
  for (let step = 0; step < 20; step++) {
    const res = await fetch(next.url, {
      method: next.method,
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(next.body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      ...(next.body === undefined ? {} : { body: next.body }),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = (pair ?? '').indexOf('=');
      jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1));
    }
    const location = res.headers.get('location');
    if (location !== null) {
      const target = new URL(location, next.url);
      if (!target.href.startsWith(issuer)) return target;
      next = { url: target.href, method: 'GET' };
      continue;
    }
    const html = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    if (action === undefined || prompt === undefined) throw new Error(`provider page without a form: ${res.status}`);
    const form = new URLSearchParams({ prompt, ...(prompt === 'login' ? { login, password: 'any' } : {}) });
    next = { url: new URL(action, next.url).href, method: 'POST', body: form.toString() };
  }
  throw new Error('the provider never sent the browser back');
}

/**
 * Single sign-on in a real Chromium: the agent sign-in screen shows "Sign in with SSO" because
 * the hub has a provider for agents; the agent clicks it, signs in on a local OpenID provider
 * (oidc-provider 8's development login), and lands in the inbox with their queue. A console
 * owner links themselves to their provider subject from the members view, then signs in with SSO.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkAgentSubject } from '../../apps/server/src/features/inbox/agent-sso.js';
import { startTestIdp, type TestIdp } from '../../apps/server/test/oidc-idp.js';
import { shot, startBrowserHub, type BrowserHub } from './harness.js';

/** A free loopback port, so the hub's redirect URI is known before the provider registers it. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('single sign-on for agents', { timeout: 90_000 }, () => {
  let env: BrowserHub;
  let idp: TestIdp;
  const client = { client_id: 'confide-agents', client_secret: 'agents client secret 0123456789' };
  const consoleClient = { client_id: 'confide-console', client_secret: 'console client secret 0123456789' };

  beforeAll(async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    idp = await startTestIdp([
      { ...client, redirect_uri: `${publicUrl}/inbox/api/sso/callback` },
      { ...consoleClient, redirect_uri: `${publicUrl}/console/api/sso/callback` },
    ]);
    env = await startBrowserHub({
      PORT: String(port),
      PUBLIC_URL: publicUrl,
      OIDC_AGENTS_ISSUER: idp.issuer,
      OIDC_AGENTS_CLIENT_ID: client.client_id,
      OIDC_AGENTS_CLIENT_SECRET: client.client_secret,
      OIDC_CONSOLE_ISSUER: idp.issuer,
      OIDC_CONSOLE_CLIENT_ID: consoleClient.client_id,
      OIDC_CONSOLE_CLIENT_SECRET: consoleClient.client_secret,
    });
    await env.hub.services.console.members.createOrganisation(
      { name: 'SSO Bank', username: 'olivia', password: 'owner password 1' },
      'operator',
    );
    const page = await env.hub.services.pages.createPage({ name: 'SSO Bank', category: 'bank' });
    await env.hub.services.agents.create({ pageId: page.page_id, username: 'ada', password: 'agent password 1' });
    await linkAgentSubject(env.hub.ctx, 'ada', 'idp-ada', 'operator');
  });
  afterAll(async () => {
    await env?.close();
    await idp?.close();
  });

  it('the agent clicks "Sign in with SSO", signs in at the provider and reaches the queue', async () => {
    const page = await (await env.browser.newContext()).newPage();
    await page.goto(`${env.url}/inbox`);
    await page.getByRole('heading', { name: 'Agent sign in' }).waitFor();
    await shot(page, 'sso-01-agent-sign-in');
    await page.getByRole('link', { name: 'Sign in with SSO' }).click();
    await page.locator('input[name="login"]').fill('idp-ada');
    await page.locator('input[name="password"]').fill('anything');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Queue' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/inbox');
    await shot(page, 'sso-02-agent-queue');
  });

  it('a console owner links their provider subject in the members view, then signs in with SSO', async () => {
    const page = await (await env.browser.newContext()).newPage();
    await page.goto(`${env.url}/console`);
    await page.getByLabel('Username').fill('olivia');
    await page.getByLabel('Password').fill('owner password 1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Members' }).click();
    await page.getByLabel('to SSO subject').fill('idp-olivia');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Linked: they can sign in with SSO.').waitFor();
    await shot(page, 'sso-03-console-link');

    const fresh = await (await env.browser.newContext()).newPage();
    await fresh.goto(`${env.url}/console`);
    await fresh.getByRole('link', { name: 'Sign in with SSO' }).click();
    await fresh.locator('input[name="login"]').fill('idp-olivia');
    await fresh.locator('input[name="password"]').fill('anything');
    await fresh.getByRole('button', { name: 'Sign-in' }).click();
    await fresh.getByRole('button', { name: 'Continue' }).click();
    await fresh.getByRole('button', { name: 'Members' }).waitFor();
    expect(new URL(fresh.url()).pathname).toBe('/console');
    await shot(fresh, 'sso-04-console-signed-in');
  });
});

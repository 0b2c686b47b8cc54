/**
 * The installable app: the page links its manifest, the service worker installs with the
 * whole app as its scope, and with the network gone the messenger still opens a
 * conversation from this device's copy and says it is offline.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendAsBusiness, startBrowserHub, type BrowserHub } from './harness.js';

describe('installable app and offline shell', { timeout: 60_000 }, () => {
  let env: BrowserHub;
  let context: BrowserContext;
  let page: Page;
  let conversationId = '';

  beforeAll(async () => {
    env = await startBrowserHub();
    const bank = await env.hub.services.pages.createPage({
      name: 'Offline Bank',
      category: 'bank',
      description: 'Works offline.',
    });
    const signup = await env.hub.app.inject({
      method: 'POST',
      url: '/api/signup',
      payload: { username: `ola${Date.now().toString(36)}`, password: 'correct horse battery' },
    });
    const session = signup.cookies.find((c) => c.name === 'confide_session')!;
    const customerId = signup.json().customer.id as string;
    const opened = await env.hub.app.inject({
      method: 'POST',
      url: '/api/conversations',
      headers: { cookie: `${session.name}=${session.value}` },
      payload: { page_id: bank.page_id },
    });
    conversationId = opened.json().id as string;
    await sendAsBusiness(env.hub, customerId, conversationId, { text: 'Your statement is ready' });
    context = await env.browser.newContext();
    await context.addCookies([{ name: session.name, value: session.value, url: env.url }]);
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    await env?.close();
  });

  it('links a manifest with installable icons and installs its service worker for the whole app', async () => {
    await page.goto(env.url);
    await page.getByRole('heading', { name: 'Chats' }).waitFor();
    const manifest = await page.evaluate(async () => {
      const href = document.querySelector('link[rel="manifest"]')?.getAttribute('href');
      return href
        ? ((await (await fetch(href)).json()) as { display: string; icons: Array<{ sizes: string; type: string }> })
        : null;
    });
    expect(manifest?.display).toBe('standalone');
    expect(manifest?.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(scope).toBe(`${env.url}/`);
    await expect
      .poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 10_000 })
      .toBe(true);
  });

  it('opens the last conversation seen with the network gone, and says it is offline', async () => {
    // Seen online once (the worker keeps the answers), then the network goes away.
    await page.goto(`${env.url}/c/${conversationId}`);
    await page.getByRole('log').getByText('Your statement is ready').waitFor();
    await context.setOffline(true);
    try {
      await page.reload();
      await page.getByRole('log').getByText('Your statement is ready').waitFor();
      await page.getByRole('status').filter({ hasText: 'You are offline' }).waitFor();
      // The offline shell is the hub's page, with its strict CSP kept.
      const csp = await page.evaluate(
        async () => (await caches.match('/'))?.headers.get('content-security-policy') ?? '',
      );
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
    } finally {
      await context.setOffline(false);
    }
  });

  it('forgets the offline copy of the customer data on sign-out', async () => {
    await page.goto(env.url);
    await page.getByRole('heading', { name: 'Chats' }).waitFor();
    expect(await page.evaluate(() => caches.has('confide-data-v1'))).toBe(true);
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => page.evaluate(() => caches.has('confide-data-v1'))).toBe(false);
  });
});

/**
 * A session ended elsewhere takes the web app back to its login screen: the hub closes the
 * open stream with 4401 (a password change from another session for the customer, a logout
 * for the agent), and the app signs in again instead of reconnecting in a loop.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shot, startBrowserHub, type BrowserHub } from './harness.js';

const PASSWORD = 'correct horse battery';

describe('the web app when its session ends elsewhere', { timeout: 60_000 }, () => {
  let env: BrowserHub;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    env = await startBrowserHub();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await env?.close();
  });

  /** A fresh page that counts the WebSockets it opens to `path`. */
  async function openPage(path: string): Promise<{ page: Page; sockets: () => number }> {
    const context = await env.browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    let sockets = 0;
    page.on('websocket', (ws) => {
      if (new URL(ws.url()).pathname === path) sockets += 1;
    });
    return { page, sockets: () => sockets };
  }

  const cookieOf = (res: { cookies: Array<{ name: string; value: string }> }, name: string) =>
    `${name}=${res.cookies.find((c) => c.name === name)?.value}`;

  it('customer: a password change from another session shows the login screen, without reconnecting', async () => {
    const username = `carol${Date.now().toString(36)}`;
    await env.hub.app.inject({ method: 'POST', url: '/api/signup', payload: { username, password: PASSWORD } });
    const { page, sockets } = await openPage('/api/stream');
    await page.goto(env.url);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Find a bank or business' }).waitFor();
    await expect.poll(sockets).toBe(1);

    const other = await env.hub.app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { username, password: PASSWORD },
    });
    const changed = await env.hub.app.inject({
      method: 'POST',
      url: '/api/password',
      headers: { cookie: cookieOf(other, 'confide_session') },
      payload: { current_password: PASSWORD, new_password: 'a brand new secret' },
    });
    expect(changed.statusCode).toBe(204);
    await page.getByRole('heading', { name: 'Welcome back' }).waitFor({ timeout: 3_000 });
    await shot(page, 'session-end-01-customer-signed-out');
    // No reconnect loop: the ended stream is not opened again.
    await page.waitForTimeout(2_500);
    expect(sockets()).toBe(1);
  });

  it('agent: a logout elsewhere shows the agent sign-in, without reconnecting', async () => {
    const bank = await env.hub.services.pages.createPage({
      name: 'Session Bank',
      category: 'bank',
      description: 'Ends sessions.',
    });
    await env.hub.services.agents.create({ pageId: bank.page_id, username: 'ada', password: PASSWORD });
    const { page, sockets } = await openPage('/inbox/api/stream');
    await page.goto(`${env.url}/inbox`);
    await page.getByLabel('Username').fill('ada');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Queue' }).waitFor();
    await expect.poll(sockets).toBe(1);

    // The same session, ended from outside the page (as another tab's logout would).
    const agentCookie = (await page.context().cookies(`${env.url}/inbox/api/me`)).find(
      (c) => c.name === 'confide_agent',
    );
    const out = await env.hub.app.inject({
      method: 'POST',
      url: '/inbox/api/logout',
      headers: { cookie: `confide_agent=${agentCookie?.value}` },
    });
    expect(out.statusCode).toBe(204);
    await page.getByRole('heading', { name: 'Agent sign in' }).waitFor({ timeout: 3_000 });
    await page.waitForTimeout(2_500);
    expect(sockets()).toBe(1);
  });
});

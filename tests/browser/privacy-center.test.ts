/**
 * The privacy center's save model and unlinking, in Chromium: a switch saves at once and
 * its toast undoes it; Unlink asks in place, with an explicit "also erase our conversation
 * history" choice, and the card is accurate right after (not linked, nothing allowed, every
 * switch off) with or without the erasure; the center follows the system's dark mode.
 * Linking itself is covered by the story test; here the link row is written as linking does.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declareCategory } from '../../apps/server/src/features/consent/declarations.js';
import { seriousViolations } from './axe.js';
import { tabStops } from './keyboard.js';
import { sendAsBusiness, shot, startBrowserHub, type BrowserHub } from './harness.js';

describe('privacy center', { timeout: 90_000 }, () => {
  let env: BrowserHub;
  let context: BrowserContext;
  let page: Page;
  let bankId = '';
  let customerId = '';
  let conversationId = '';
  let cookie = { name: '', value: '' };
  const problems: string[] = [];

  /** Links the account and allows both categories, as the consent screen would. */
  const link = async () => {
    const now = env.hub.ctx.now();
    await env.hub.ctx.storage.writes.run((tx) =>
      tx.db
        .insertInto('account_links')
        .values({ conversation_id: conversationId, customer_id: customerId, page_id: bankId, linked_at: now })
        .onConflict((oc) => oc.column('conversation_id').doUpdateSet({ linked_at: now }))
        .execute(),
    );
    await env.hub.services.consents.set(customerId, bankId, ['balances', 'fraud_alerts']);
  };
  const consent = async () => (await env.hub.services.consents.business(customerId, bankId)).consent;
  const history = async () =>
    (
      await env.hub.services.conversations
        .messages(customerId, conversationId, undefined, 50)
        .catch(() => ({ data: [] }))
    ).data.length;
  const card = () => page.getByRole('article', { name: 'Acme Bank' });

  beforeAll(async () => {
    env = await startBrowserHub();
    const bank = await env.hub.services.pages.createPage({
      name: 'Acme Bank',
      category: 'bank',
      description: 'Everyday banking.',
    });
    bankId = bank.page_id;
    await declareCategory(env.hub.ctx, {
      pageId: bankId,
      category: 'balances',
      purpose: 'Your balance after each payment.',
    });
    await declareCategory(env.hub.ctx, {
      pageId: bankId,
      category: 'fraud_alerts',
      purpose: 'An alert when a payment looks unusual.',
    });
    const signup = await env.hub.app.inject({
      method: 'POST',
      url: '/api/signup',
      payload: { username: `pia${Date.now().toString(36)}`, password: 'correct horse battery' },
    });
    const session = signup.cookies.find((c) => c.name === 'confide_session')!;
    cookie = { name: session.name, value: session.value };
    customerId = signup.json().customer.id;
    conversationId = (
      await env.hub.app.inject({
        method: 'POST',
        url: '/api/conversations',
        headers: { cookie: `${session.name}=${session.value}` },
        payload: { page_id: bankId },
      })
    ).json().id;
    await sendAsBusiness(env.hub, customerId, conversationId, { text: 'Your statement for November is ready.' });
    await link();
    context = await env.browser.newContext({ viewport: { width: 1100, height: 900 } });
    await context.addCookies([{ ...cookie, url: env.url }]);
    page = await context.newPage();
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  });
  afterAll(async () => {
    await env?.close();
  });

  it('a switch saves at once and Undo restores what was allowed', async () => {
    await page.goto(`${env.url}/privacy`);
    await card().getByRole('group', { name: 'What Acme Bank may send you' }).waitFor();
    const balances = card().getByRole('switch', { name: /Balance updates/ });
    expect(await balances.isChecked()).toBe(true);
    expect(await card().getByRole('button', { name: 'Save' }).count()).toBe(0);
    // Every control of the card and of Your data is reachable with Tab.
    const stops = await tabStops(page);
    for (const name of [
      'Balance updates',
      'Fraud alerts',
      'Renew',
      'Revoke all',
      'Unlink…',
      'Consent receipts',
      'Access log',
      'Download my data',
      'Delete my account…',
    ])
      expect(
        stops.some((s) => s.startsWith(name)),
        `${name} in ${JSON.stringify(stops)}`,
      ).toBe(true);

    // A click, then the saved toast: the switch is read once its save has ended.
    await balances.click();
    await page.getByText('Balance updates off for Acme Bank.').waitFor();
    expect((await consent()).categories).toEqual(['fraud_alerts']);
    expect(await balances.isChecked()).toBe(false);
    await shot(page, 'privacy-01-saved-with-undo');

    await page.getByRole('button', { name: 'Undo' }).click();
    await page.getByText('Undone.').waitFor();
    expect((await consent()).categories).toEqual(['balances', 'fraud_alerts']);
    expect(await balances.isChecked()).toBe(true);
  });

  it('opens a receipt: what was granted, for what, when, and that the hub’s signature verifies; the JWS stays downloadable', async () => {
    await page.goto(`${env.url}/privacy`);
    await card()
      .getByText(/Consent receipts \(\d+\)/)
      .click();
    const first = card().locator('.receipt-row').first();
    await first.getByRole('button').click();
    const check = card().locator('.receipt-check').first();
    await check.waitFor();
    expect(await check.textContent()).toMatch(/^\s*Verified: signed by this Confide hub/);
    const view = card().locator('.receipt-view').first();
    expect(await view.locator('dd').first().textContent()).toBe('Balance updates, Fraud alerts');
    await view.getByText('Never').waitFor();
    expect(await first.getByRole('link', { name: /download the signed receipt/ }).getAttribute('href')).toMatch(
      /^\/api\/privacy\/receipts\/rcpt/,
    );
    await shot(page, 'privacy-05-receipt');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('shows the access log in plain language, by day with the year and by business', async () => {
    // Reading the conversation is an access the hub records, for the customer to read.
    await page.goto(`${env.url}/c/${conversationId}`);
    await page.getByRole('log').getByText('Your statement for November is ready.').waitFor();
    await page.goto(`${env.url}/privacy`);
    await page.getByText('Access log: who accessed your data, and why').click();
    const log = page.getByRole('region', { name: 'Access log' });
    const year = String(new Date().getFullYear());
    await log
      .getByRole('heading', { level: 4, name: new RegExp(year) })
      .first()
      .waitFor();
    await log.getByRole('heading', { level: 5, name: 'Acme Bank' }).first().waitFor();
    await log.getByText('Your messages were opened for you to read').first().waitFor();
    await log.getByText('You allowed Acme Bank to send you updates').first().waitFor();
    expect(await log.textContent()).not.toMatch(/content access|deliver_to|A business content|consent granted/);
    await shot(page, 'privacy-04-access-log');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('unlinks without erasing: the card is accurate at once and the conversation stays', async () => {
    await card().getByRole('button', { name: 'Unlink…' }).click();
    const panel = card().getByRole('group', { name: 'Unlink your Acme Bank account?' });
    await panel.waitFor();
    expect(await panel.getByRole('checkbox', { name: /Also erase our conversation history/ }).isChecked()).toBe(false);
    await shot(page, 'privacy-02-unlink-choice');
    expect(await seriousViolations(page)).toEqual([]);
    await panel.getByRole('button', { name: 'Unlink', exact: true }).click();
    await card().getByText('Account not linked').waitFor();
    await card().getByText('Access revoked').waitFor();
    for (const s of await card().getByRole('switch').all()) expect(await s.isChecked()).toBe(false);
    expect(await card().getByRole('button', { name: 'Unlink…' }).count()).toBe(0);
    expect((await consent()).status).toBe('revoked');
    expect(await history()).toBeGreaterThan(0);
  });

  it('unlinks and erases the conversation history when asked to', async () => {
    await link();
    await page.reload();
    await card().getByRole('button', { name: 'Unlink…' }).click();
    const panel = card().getByRole('group', { name: 'Unlink your Acme Bank account?' });
    await panel.getByRole('checkbox', { name: /Also erase our conversation history/ }).check();
    await panel.getByRole('button', { name: 'Unlink and erase' }).click();
    await page.getByText('Acme Bank account unlinked and your conversation erased.').waitFor();
    await card().getByText('Account not linked').waitFor();
    for (const s of await card().getByRole('switch').all()) expect(await s.isChecked()).toBe(false);
    expect(await history()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('follows the system’s dark mode', async () => {
    const dark = await env.browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    await dark.addCookies([{ ...cookie, url: env.url }]);
    const darkPage = await dark.newPage();
    await darkPage.goto(`${env.url}/privacy`);
    const article = darkPage.getByRole('article', { name: 'Acme Bank' });
    await article.waitFor();
    const [bg, fg] = await article.evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]);
    const luminance = (rgb: string) => {
      const [r, g, b] = (rgb.match(/\d+/g) ?? []).map(Number);
      return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
    };
    expect(luminance(bg ?? '')).toBeLessThan(60);
    expect(luminance(fg ?? '')).toBeGreaterThan(180);
    await shot(darkPage, 'privacy-03-dark-mobile');
    expect(await seriousViolations(darkPage)).toEqual([]);
    await dark.close();
  });
});

/**
 * The bank's Messenger Profile in a real Chromium against a running hub and sandbox bank:
 * a new conversation shows the greeting, the ice breakers and Get Started (in place of the
 * composer); Get Started, an ice breaker and the persistent menu send their postbacks and
 * the bank's bot answers each; a profile change (new greeting, a nested menu with a URL
 * item) shows without a reload. Desktop and 390×844.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shot } from './harness.js';
import { startStoryWorld, type StoryWorld } from './story-world.js';

describe('Messenger Profile in the customer messenger', { timeout: 90_000 }, () => {
  let w: StoryWorld;
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];

  const open = async (browser: Browser, viewport: { width: number; height: number }): Promise<Page> => {
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text()))
        problems.push(`csp: ${msg.text()}`);
    });
    return page;
  };
  const signUpAndOpenBank = async (page: Page, username: string) => {
    await page.goto(w.hubUrl);
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('button', { name: 'Find a bank or business' }).click();
    await page.getByLabel('Search banks and businesses').fill('sandbox bank');
    await page.getByRole('button', { name: /Sandbox Bank/ }).click();
    await page.getByRole('heading', { name: 'Sandbox Bank', level: 2 }).waitFor();
  };
  const bubble = (page: Page, text: string | RegExp) => page.getByRole('log').locator('li.msg', { hasText: text });
  const setProfile = (profile: object) =>
    fetch(`${w.hubUrl}/me/messenger_profile?access_token=${encodeURIComponent(w.bankPage.pageToken)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(profile),
    });

  beforeAll(async () => {
    w = await startStoryWorld();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await w?.close();
  });

  it('a new conversation shows the greeting, ice breakers and Get Started; Get Started reaches the bank', async () => {
    const page = await open(w.browser, { width: 1280, height: 800 });
    await signUpAndOpenBank(page, 'gina');
    await page.getByText('Sandbox Bank: balances, payment alerts and fraud checks. Demo data only.').waitFor();
    const suggestions = page.getByRole('list', { name: 'Suggested questions' }).getByRole('button');
    expect(await suggestions.allTextContents()).toEqual([
      'What is my balance?',
      'How do I link my bank account?',
      'Can I talk to a person?',
    ]);
    // Messenger's Get Started stands in for the composer until the conversation starts.
    expect(await page.getByLabel('Message Sandbox Bank').count()).toBe(0);
    await shot(page, 'profile-01-welcome-desktop');

    await page.getByRole('button', { name: 'Get Started' }).click();
    await bubble(page, 'Get Started').waitFor();
    // The bank's bot received GET_STARTED: it answers with its welcome and a log-in button.
    await bubble(page, /Welcome to Sandbox Bank! Link your account/).waitFor();
    await page.getByLabel('Message Sandbox Bank').waitFor();
    expect(await page.getByRole('list', { name: 'Suggested questions' }).count()).toBe(0);

    // The persistent menu by the composer: a postback item reaches the bank.
    const menuButton = page.getByRole('button', { name: 'Sandbox Bank menu' });
    await menuButton.click();
    const menu = page.getByRole('menu', { name: 'Sandbox Bank menu' });
    expect(await menu.getByRole('menuitem').allTextContents()).toEqual([
      'Balance',
      'Recent transactions',
      'Lock / unlock a card',
      'Low-balance alert',
      'Talk to an agent',
      'Link / unlink',
    ]);
    await shot(page, 'profile-02-menu-desktop');
    await page.keyboard.press('Escape');
    expect(await menu.count()).toBe(0);
    await menuButton.click();
    await menu.getByRole('menuitem', { name: 'Balance', exact: true }).click();
    await page.getByRole('log').locator('li.msg.mine', { hasText: 'Balance' }).waitFor();
    await bubble(page, /To see your accounts here, link your Sandbox Bank account first/).waitFor();

    // The bank changes its menu: a nested group with a postback and a URL item, live.
    const res = await setProfile({
      persistent_menu: [
        {
          locale: 'default',
          call_to_actions: [
            { type: 'postback', title: 'Balance', payload: 'CMD:balance' },
            {
              type: 'nested',
              title: 'More',
              call_to_actions: [
                { type: 'postback', title: 'Help', payload: 'CMD:help' },
                { type: 'web_url', title: 'Bank website', url: `${w.bankUrl}/` },
              ],
            },
          ],
        },
      ],
    });
    expect(res.status).toBe(200);
    await menuButton.click();
    await menu.getByRole('menuitem', { name: 'More' }).waitFor();
    await menu.getByRole('menuitem', { name: 'More' }).click();
    const nested = page.getByRole('menu', { name: 'More' });
    expect(await nested.getByRole('menuitem', { name: /Bank website/ }).getAttribute('href')).toBe(`${w.bankUrl}/`);
    await shot(page, 'profile-03-nested-menu-desktop');
    await nested.getByRole('menuitem', { name: 'Help' }).click();
    await bubble(page, /I can help with/).waitFor();
  });

  it('at 390×844: an ice breaker sends its postback, and a new greeting shows without a reload', async () => {
    const page = await open(w.browser, { width: 390, height: 844 });
    let loads = 0;
    page.on('load', () => (loads += 1));
    await signUpAndOpenBank(page, 'hugo');
    await page.getByRole('button', { name: 'Can I talk to a person?' }).waitFor();
    await shot(page, 'profile-04-welcome-mobile');
    const loadsBefore = loads;
    expect(
      (
        await setProfile({
          greeting: [{ locale: 'default', text: 'Hello {{user_first_name}}, welcome to Sandbox Bank.' }],
        })
      ).status,
    ).toBe(200);
    await page.getByText('Hello hugo, welcome to Sandbox Bank.').waitFor();
    expect(loads).toBe(loadsBefore);
    await page.getByRole('button', { name: 'Can I talk to a person?' }).click();
    await bubble(page, 'Can I talk to a person?').waitFor();
    // The bank got CMD:agent from the ice breaker: it hands over to its inbox.
    await bubble(page, /Connecting you with a member of our team/).waitFor();
    await page.getByRole('button', { name: 'Sandbox Bank menu' }).click();
    await shot(page, 'profile-05-menu-mobile');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    expect(problems).toEqual([]);
  });
});

/**
 * Signals of a messenger tab: the title counts the conversations with unread messages
 * ("(1) Confide") and clears when the customer reads them; the notifications button stays
 * after permission is granted and turns notifications off and on again on this device.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendAsBusiness, startBrowserHub, startChat, type BrowserHub } from './harness.js';

describe('tab title and notification switch', { timeout: 60_000 }, () => {
  let env: BrowserHub;
  let context: BrowserContext;
  let page: Page;
  let customerId = '';
  let conversationId = '';

  beforeAll(async () => {
    env = await startBrowserHub();
    const chat = await startChat(env, { page: { name: 'Title Bank', description: 'Writes often.' }, customer: 'dan' });
    ({ conversationId, context } = chat);
    customerId = chat.customer.id;
    await context.grantPermissions(['notifications'], { origin: env.url });
    page = await context.newPage();
    await page.goto(env.url);
    await page.getByRole('heading', { name: 'Chats' }).waitFor();
  });

  afterAll(async () => {
    await context?.close();
    await env?.close();
  });

  it('counts unread conversations in the title and clears the count once read', async () => {
    expect(await page.title()).toBe('Confide');
    await sendAsBusiness(env.hub, customerId, conversationId, { text: 'Your card was used in Lisbon' });
    await expect.poll(() => page.title()).toBe('(1) Confide');
    await page.getByRole('link', { name: /Title Bank/ }).click();
    await expect.poll(() => page.title()).toBe('Confide');
  });

  it('lets the customer turn granted notifications off and on again, remembered on this device', async () => {
    await page.goto(env.url);
    const off = page.getByRole('button', { name: 'Turn off notifications on this device' });
    await off.click();
    const on = page.getByRole('button', { name: 'Turn on notifications on this device' });
    await on.waitFor();
    expect(await page.evaluate(() => localStorage.getItem('confide.notifications'))).toBe('off');
    await page.reload();
    await on.click();
    await off.waitFor();
    expect(await page.evaluate(() => localStorage.getItem('confide.notifications'))).toBe('on');
  });
});

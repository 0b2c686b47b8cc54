/**
 * Search as a customer uses it: from the sidebar across conversations, and inside one
 * conversation; a result older than what the thread has loaded opens the conversation
 * at that message (older pages loaded on the way), in view and marked.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConversation, sendAsBusiness, shot, startBrowserHub, startChat, type BrowserHub } from './harness.js';

describe('message search', { timeout: 90_000 }, () => {
  let env: BrowserHub;
  let context: BrowserContext;
  let page: Page;
  let bankConv = '';

  beforeAll(async () => {
    env = await startBrowserHub();
    const chat = await startChat(env, {
      page: { name: 'Search Bank', description: 'Keeps records.' },
      customer: 'fay',
      context: { viewport: { width: 1200, height: 800 } },
    });
    ({ conversationId: bankConv, context } = chat);
    const customerId = chat.customer.id;
    const shop = await env.hub.services.pages.createPage({
      name: 'Search Shop',
      category: 'merchant',
      description: 'Sells things.',
    });
    const shopConv = await openConversation(env, chat.customer, shop.page_id);
    await sendAsBusiness(env.hub, customerId, bankConv, {
      text: 'Your new IBAN is ready: keep this reference QX-7781',
    });
    for (let i = 0; i < 130; i++)
      await sendAsBusiness(env.hub, customerId, bankConv, { text: `Daily balance update ${i}` });
    await sendAsBusiness(env.hub, customerId, shopConv, { text: 'Order QX-7781-B has shipped' });
    page = await context.newPage();
    await page.goto(env.url);
    await page.getByRole('heading', { name: 'Chats' }).waitFor();
  });

  afterAll(async () => {
    await context?.close();
    await env?.close();
  });

  it('finds messages across conversations and opens an old one in view', async () => {
    await page.getByRole('searchbox', { name: 'Search messages' }).fill('qx-7781');
    const results = page.getByRole('list', { name: 'Messages with “qx-7781”' });
    await results.waitFor();
    expect(await results.getByRole('button').allTextContents()).toEqual([
      expect.stringMatching(/^Search Shop.*Order QX-7781-B has shipped/),
      expect.stringMatching(/^Search Bank.*keep this reference QX-7781/),
    ]);
    await results.getByRole('button', { name: /Search Bank/ }).click();
    const target = page.locator('li.msg', { hasText: 'keep this reference QX-7781' });
    await target.waitFor();
    await expect.poll(() => target.evaluate((el) => el.classList.contains('focused'))).toBe(true);
    const inView = await target.evaluate((el) => {
      const log = el.closest('[role="log"]')!.getBoundingClientRect();
      const b = el.getBoundingClientRect();
      return b.top >= log.top && b.bottom <= log.bottom;
    });
    expect(inView).toBe(true);
    await shot(page, 'search-01-jump');
  });

  it('searches one conversation from its header, and says when nothing matches', async () => {
    await page.getByRole('button', { name: 'Search this conversation' }).click();
    const field = page.getByRole('searchbox', { name: 'Search this conversation' });
    await field.fill('balance update 129');
    const results = page.getByRole('list', { name: 'Messages with “balance update 129”' });
    await results.waitFor();
    expect(await results.getByRole('button').count()).toBe(1);
    await field.fill('shipped');
    await page.getByText('No messages with “shipped”.').waitFor();
  });
});

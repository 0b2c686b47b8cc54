/**
 * A customer reading at the bottom of a conversation keeps seeing the newest message: when
 * the business replies (with quick replies that take room below the log), when the
 * customer answers, and when the window gets shorter (a phone keyboard, a resize). The
 * "New messages" pill is only for someone who scrolled back, and never hides the newest one.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendAsBusiness, startBrowserHub, startChat, type BrowserHub } from './harness.js';

/** Whether the last message's bubble is fully inside the log's visible box, and the pill is absent. */
const newestVisible = (page: Page) =>
  page.evaluate(() => {
    const log = document.querySelector('[role="log"]');
    const items = log?.querySelectorAll('li.msg');
    const last = items?.[items.length - 1];
    if (log == null || last === undefined) return 'no messages';
    const box = log.getBoundingClientRect();
    const b = last.getBoundingClientRect();
    const inside = b.top >= box.top - 1 && b.bottom <= box.bottom + 1;
    const pill = document.querySelector('.new-messages') !== null;
    return inside && !pill ? 'visible' : `hidden (inside=${inside}, pill=${pill})`;
  });

describe('the log follows new messages at the bottom', { timeout: 60_000 }, () => {
  let env: BrowserHub;
  let context: BrowserContext;
  let page: Page;
  let customerId = '';
  let conversationId = '';

  beforeAll(async () => {
    env = await startBrowserHub();
    const chat = await startChat(env, {
      page: { name: 'Scroll Bank', description: 'Chatty.' },
      customer: 'eve',
      context: { viewport: { width: 390, height: 700 } },
    });
    ({ conversationId, context } = chat);
    customerId = chat.customer.id;
    for (let i = 0; i < 30; i++)
      await sendAsBusiness(env.hub, customerId, conversationId, {
        text: `Statement line ${i}: a long enough line to wrap on a phone screen`,
      });
    page = await context.newPage();
    await page.goto(`${env.url}/c/${encodeURIComponent(conversationId)}`);
    await page.getByRole('log').getByText('Statement line 29').waitFor();
  });

  afterAll(async () => {
    await context?.close();
    await env?.close();
  });

  it('shows a reply with quick replies in full', async () => {
    await expect.poll(() => newestVisible(page)).toBe('visible');
    await sendAsBusiness(env.hub, customerId, conversationId, {
      text: 'Was this you? A payment of €912.00 at ELECTRO-MAX, Lisbon.',
      quick_replies: [
        { content_type: 'text', title: 'Yes, it was me', payload: 'YES' },
        { content_type: 'text', title: 'No, not me', payload: 'NO' },
      ],
    });
    await page.getByRole('button', { name: 'No, not me' }).waitFor();
    await expect.poll(() => newestVisible(page)).toBe('visible');
  });

  it("keeps the customer's answer and the next reply in view", async () => {
    await page.getByRole('button', { name: 'No, not me' }).click();
    await page.locator('li.msg.mine', { hasText: 'No, not me' }).waitFor();
    await sendAsBusiness(env.hub, customerId, conversationId, {
      text: 'Your card is locked. A replacement is on its way.',
    });
    await page.getByRole('log').getByText('A replacement is on its way.').waitFor();
    await expect.poll(() => newestVisible(page)).toBe('visible');
  });

  it('stays at the bottom when the window gets shorter', async () => {
    await page.setViewportSize({ width: 390, height: 420 });
    await expect.poll(() => newestVisible(page)).toBe('visible');
  });

  it('offers the pill to someone reading back, and hides it at the bottom', async () => {
    // Scroll back and let the app see it (a scroll event is asynchronous) before the next message.
    await page.locator('[role="log"]').evaluate(async (el) => {
      el.scrollTop = 0;
      el.dispatchEvent(new Event('scroll'));
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    });
    await sendAsBusiness(env.hub, customerId, conversationId, { text: 'One more thing' });
    const pill = page.getByRole('button', { name: 'New messages' });
    await pill.click();
    await expect.poll(() => newestVisible(page)).toBe('visible');
  });
});

/**
 * A utility message in the customer web app: a page creates a template through the
 * Platform API, the customer allows the category, the page sends the template outside the
 * 24-hour window (the customer never wrote), and the thread shows the header, the body
 * with its parameters filled in, the footer and the buttons; the postback button posts back.
 */
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declareCategory } from '../../apps/server/src/features/consent/declarations.js';
import { fraudSend, fraudTemplate } from '../../apps/server/test/utility-template.js';
import { shot, startBrowserHub, startChat, type BrowserHub } from './harness.js';

describe('a utility message in the customer web app', { timeout: 60_000 }, () => {
  let env: BrowserHub;
  let context: BrowserContext;
  let conversationId: string;
  let sessionCookie: string;

  beforeAll(async () => {
    env = await startBrowserHub();
    const chat = await startChat(env, {
      page: { name: 'Template Bank', description: 'Sends utility messages.' },
      customer: 'uma',
      context: { viewport: { width: 1280, height: 800 } },
    });
    const { page: bank, customer } = chat;
    ({ conversationId, context } = chat);
    sessionCookie = customer.cookie;
    const customerId = customer.id;
    const psid = (
      await env.hub.ctx.storage.db
        .selectFrom('conversations')
        .select('psid')
        .where('id', '=', conversationId)
        .executeTakeFirstOrThrow()
    ).psid;

    const graph = (path: string, payload: object) =>
      env.hub.app.inject({ method: 'POST', url: `/v25.0/${path}?access_token=${bank.page_access_token}`, payload });
    const created = await graph(
      'me/message_templates',
      fraudTemplate(
        { notification_category: 'transactions' },
        {
          body: 'We noticed a payment of {{1}} at {{2}}. Please confirm whether you made it.',
          bank: 'Template Bank',
          postback: 'FRAUD_OK_{{1}}',
        },
      ),
    );
    expect(created.json().status).toBe('APPROVED');
    await declareCategory(env.hub.ctx, {
      pageId: bank.page_id,
      category: 'transactions',
      purpose: 'Card payment notices',
    });
    await env.hub.services.consents.set(customerId, bank.page_id, ['transactions']);
    const sent = await graph('me/messages', fraudSend(psid, {}, 'p-8812'));
    expect(sent.statusCode, sent.body).toBe(200);
  });

  afterAll(async () => {
    await context?.close();
    await env?.close();
  });

  it('shows the filled-in template with its buttons, and the postback button posts back', async () => {
    const page = await context.newPage();
    await page.goto(`${env.url}/c/${encodeURIComponent(conversationId)}`);
    const card = page.locator('.utility-template');
    await card
      .getByText('We noticed a payment of €42.00 at Coffee Corner. Please confirm whether you made it.')
      .waitFor();
    await card.getByText('Card payment check').waitFor();
    await card.getByText('Template Bank security').waitFor();
    expect(await card.innerText()).not.toContain('{{');
    const review = card.getByRole('link', { name: /Review payment/ });
    expect(await review.getAttribute('href')).toBe('https://bank.example/payments/p-8812');
    expect(await review.getAttribute('rel')).toBe('noopener noreferrer');
    await shot(page, 'utility-message');

    await card.getByRole('button', { name: 'It was me' }).click();
    await page
      .getByRole('log')
      .getByText('It was me')
      .locator('xpath=ancestor-or-self::*[contains(@class,"postback")]')
      .first()
      .waitFor();
    const res = await env.hub.app.inject({
      method: 'GET',
      url: `/api/conversations/${conversationId}/messages?limit=10`,
      headers: { cookie: sessionCookie },
    });
    // A utility message with a postback button is a question: the answer names it.
    expect(res.json().data[0].body).toEqual({
      postback: { title: 'It was me', payload: 'FRAUD_OK_p-8812' },
      reply_to: { mid: expect.stringMatching(/^m_/) },
    });
  });
});

/**
 * The customer web messenger in a real Chromium against a real hub: sign up, find the
 * bank, chat, live business messages with quick replies and templates, receipts and
 * typing, a dropped stream that resumes from its cursor without duplicates, the link
 * return, the privacy center, and a 360 px phone layout without sideways scrolling.
 * The bank's images (template cards, persona pictures) sit on their own host: the browser
 * only ever loads them through the hub's image proxy, under a CSP of `img-src 'self'`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declareCategory } from '../../apps/server/src/features/consent/declarations.js';
import {
  allowStream,
  businessReadAll,
  businessTyping,
  dropStream,
  hasNoHorizontalOverflow,
  sendAsBusiness,
  shot,
  startBrowserHub,
  WEBSOCKET_CONTROL,
  type BrowserHub,
} from './harness.js';

/** A real 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

describe('customer web messenger', { timeout: 60_000 }, () => {
  let env: BrowserHub;
  let context: BrowserContext;
  let page: Page;
  let bankId: string;
  let bankToken: string;
  let customerId: string;
  let conversationId: string;
  const username = `alice${Date.now().toString(36)}`;
  /** Page errors and CSP violations: the app must produce none. */
  const problems: string[] = [];
  /** Every URL the browser requested. */
  const browserRequests: string[] = [];
  /** The bank's image host on loopback, and the User-Agent of every request it got. */
  let cdn: { server: http.Server; origin: string; agents: string[] };

  const thread = () => page.getByRole('log');
  const messages = (text: string) => page.locator('li.msg', { hasText: text });
  const customerMessages = () =>
    env.hub.services.conversations
      .messages(customerId, conversationId, undefined, 50)
      .then((p) => p.data.filter((m) => m.direction === 'in'));

  beforeAll(async () => {
    const agents: string[] = [];
    const server = http.createServer((req, res) => {
      agents.push(req.headers['user-agent'] ?? '');
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length }).end(PNG);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cdn = { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, agents };
    env = await startBrowserHub();
    const created = await env.hub.services.pages.createPage({
      name: 'Acme Bank',
      category: 'bank',
      description: 'Everyday banking, privately.',
    });
    bankId = created.page_id;
    bankToken = created.page_access_token;
    await declareCategory(env.hub.ctx, {
      pageId: bankId,
      category: 'balances',
      purpose: 'Show your balance when you ask for it.',
    });
    await declareCategory(env.hub.ctx, {
      pageId: bankId,
      category: 'fraud_alerts',
      purpose: 'Warn you about suspicious card payments.',
    });
    await env.hub.services.pages.createPage({
      name: 'Corner Books',
      category: 'merchant',
      description: 'Independent bookshop.',
    });
    context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(WEBSOCKET_CONTROL);
    context.on('request', (request) => void browserRequests.push(request.url()));
    page = await context.newPage();
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text()))
        problems.push(`csp: ${msg.text()}`);
    });
  });

  afterAll(async () => {
    await env?.close();
    await new Promise((r) => cdn?.server.close(r));
  });

  it('signs up', async () => {
    await page.goto(env.url);
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill('correct horse battery');
    await shot(page, '01-sign-up');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Chats' }).waitFor();
    const me = await page.evaluate(() =>
      fetch('/api/me').then((r) => r.json() as Promise<{ customer: { id: string; username: string } }>),
    );
    expect(me.customer.username).toBe(username);
    customerId = me.customer.id;
    await shot(page, '02-empty-inbox');
  });

  it('finds the bank in the directory and opens the conversation', async () => {
    await page.getByRole('button', { name: 'Find a bank or business' }).click();
    await page.getByLabel('Search banks and businesses').fill('acme');
    const result = page.getByRole('button', { name: /Acme Bank/ });
    await result.waitFor();
    expect(await page.getByRole('button', { name: /Corner Books/ }).count()).toBe(0);
    await shot(page, '03-directory');
    await result.click();
    await page.getByRole('heading', { name: 'Acme Bank', level: 2 }).waitFor();
    conversationId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
    expect(conversationId).not.toBe('');
  });

  it('sends a message, and shows it read once the bank reads it', async () => {
    const composer = page.getByLabel('Message Acme Bank');
    await composer.fill('Hello, I lost my card');
    await composer.press('Enter');
    const bubble = messages('Hello, I lost my card');
    await bubble.locator('.ticks[data-state="sent"]').waitFor();
    expect((await customerMessages()).map((m) => m.body.text)).toEqual(['Hello, I lost my card']);
    await businessReadAll(env.hub, customerId, conversationId);
    await bubble.locator('.ticks[data-state="read"]').waitFor();
    expect(await messages('Hello, I lost my card').count()).toBe(1);
  });

  it('shows the typing indicator, then a live business message with quick replies; tapping one posts it and hides them', async () => {
    businessTyping(env.hub, customerId, conversationId, true);
    await page.locator('.typing-indicator.on').waitFor();
    await sendAsBusiness(env.hub, customerId, conversationId, {
      text: 'Sorry to hear that. Shall we freeze it?',
      quick_replies: [
        { content_type: 'text', title: 'Freeze card', payload: 'FREEZE' },
        { content_type: 'text', title: 'Not now', payload: 'LATER' },
      ],
    });
    await messages('Shall we freeze it?').waitFor();
    await page.locator('.typing-indicator:not(.on)').waitFor({ state: 'attached' });
    const replies = page.getByRole('group', { name: 'Suggested replies' });
    await replies.getByRole('button', { name: 'Freeze card' }).waitFor();
    await shot(page, '04-quick-replies');

    await replies.getByRole('button', { name: 'Freeze card' }).click();
    await messages('Freeze card').locator('.ticks[data-state="sent"]').waitFor();
    expect(await replies.count()).toBe(0);
    const last = (await customerMessages()).at(0);
    expect(last?.body).toMatchObject({ text: 'Freeze card', quick_reply: { payload: 'FREEZE' } });
    await shot(page, '05-quick-reply-sent');
  });

  it('renders button, generic and receipt templates; a postback button posts back', async () => {
    const mid = await sendAsBusiness(env.hub, customerId, conversationId, {
      attachment: {
        type: 'template',
        payload: {
          template_type: 'button',
          text: 'Your card is frozen. What next?',
          buttons: [
            { type: 'postback', title: 'Order a new card', payload: 'NEW_CARD' },
            { type: 'web_url', title: 'Card help', url: 'https://bank.example/help?x=1' },
            { type: 'phone_number', title: 'Call us', payload: '+44 20 7946 0000' },
            { type: 'account_link', url: 'https://bank.example/oauth?state=s1' },
          ],
        },
      },
    });
    await sendAsBusiness(env.hub, customerId, conversationId, {
      attachment: {
        type: 'template',
        payload: {
          template_type: 'generic',
          elements: [
            {
              title: 'Classic card',
              subtitle: 'No fee',
              image_url: `${cdn.origin}/cards/classic.png`,
              buttons: [{ type: 'postback', title: 'Choose Classic', payload: 'CLASSIC' }],
            },
            {
              title: 'Travel card',
              subtitle: 'No FX fees abroad',
              buttons: [{ type: 'postback', title: 'Choose Travel', payload: 'TRAVEL' }],
            },
            {
              title: 'Premium card',
              subtitle: 'Lounge access',
              buttons: [{ type: 'postback', title: 'Choose Premium', payload: 'PREMIUM' }],
            },
          ],
        },
      },
    });
    await sendAsBusiness(env.hub, customerId, conversationId, {
      attachments: [
        { type: 'image', payload: { url: '/favicon.svg' } },
        { type: 'file', payload: { url: 'https://bank.example/statements/2026-10.pdf' } },
      ],
    });
    await sendAsBusiness(env.hub, customerId, conversationId, {
      attachment: {
        type: 'template',
        payload: {
          template_type: 'receipt',
          recipient_name: 'Alice Example',
          order_number: 'R-1042',
          currency: 'EUR',
          payment_method: 'Visa 4242',
          elements: [{ title: 'Replacement card', subtitle: 'Express delivery', quantity: 1, price: 12.5 }],
          summary: { subtotal: 12.5, shipping_cost: 2.5, total_tax: 0, total_cost: 15 },
        },
      },
    });
    const buttonCard = page.locator('.button-template', { hasText: 'Your card is frozen' });
    await buttonCard.waitFor();
    const help = buttonCard.getByRole('link', { name: /Card help/ });
    expect(await help.getAttribute('target')).toBe('_blank');
    expect(await help.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await buttonCard.getByRole('link', { name: /Call us/ }).getAttribute('href')).toBe('tel:+442079460000');
    expect(await buttonCard.getByRole('link', { name: /Link account/ }).getAttribute('href')).toBe(
      `/link/start?mid=${encodeURIComponent(mid)}&url=${encodeURIComponent('https://bank.example/oauth?state=s1')}`,
    );
    await page
      .getByRole('group', { name: /3 cards from Acme Bank/ })
      .getByText('Travel card')
      .waitFor();
    const receipt = page.getByRole('article', { name: /Receipt R-1042/ });
    await receipt.waitFor();
    expect(await receipt.locator('.receipt-total').innerText()).toMatch(/Total\s+€?15[.,]00/);
    const image = page.getByRole('img', { name: 'Image from Acme Bank' });
    await image.waitFor();
    // The image box is sized by CSS before it loads, so nothing below it jumps.
    expect((await image.boundingBox())?.height).toBeGreaterThan(100);
    expect(await page.getByRole('link', { name: /2026-10\.pdf/ }).getAttribute('href')).toBe(
      'https://bank.example/statements/2026-10.pdf',
    );
    // The card's image is on the bank's host; the browser gets it from the hub's proxy.
    const cardImage = page.locator('.generic-card', { hasText: 'Classic card' }).locator('img.card-image');
    await cardImage.waitFor();
    expect(await cardImage.getAttribute('src')).toMatch(
      /^\/api\/media\/image\?url=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fcards%2Fclassic\.png&sig=[\w-]{22}$/,
    );
    await page.waitForFunction(
      (el) => el instanceof HTMLImageElement && el.complete && el.naturalWidth === 1,
      await cardImage.elementHandle(),
    );
    expect(cdn.agents).toEqual(['Confide-ImageProxy/1.0']);
    await shot(page, '06-templates');

    await buttonCard.getByRole('button', { name: 'Order a new card' }).click();
    await messages('Order a new card').locator('.bubble.postback').waitFor();
    // The tap names its message; a plain reply's buttons stay usable (only questions show their answer instead).
    expect((await customerMessages()).at(0)?.body).toEqual({
      postback: { title: 'Order a new card', payload: 'NEW_CARD' },
      reply_to: { mid },
    });
    await buttonCard.getByRole('button', { name: 'Order a new card' }).waitFor();
  });

  it('shows a banner while the stream is down and replays what was missed exactly once', async () => {
    const opened = () => page.evaluate(() => (window as unknown as { __ws: { opened: number } }).__ws.opened);
    const before = await opened();
    await context.setOffline(true);
    await dropStream(page);
    const banner = page.getByRole('status').filter({ hasText: 'Reconnecting…' });
    await banner.waitFor();
    await sendAsBusiness(env.hub, customerId, conversationId, { text: 'Your new card is on its way.' });
    await shot(page, '07-reconnecting');
    expect(await messages('Your new card is on its way.').count()).toBe(0);

    await allowStream(page);
    await context.setOffline(false);
    await messages('Your new card is on its way.').waitFor();
    await banner.waitFor({ state: 'detached' });
    expect(await opened()).toBeGreaterThan(before);
    // A later live message proves the stream is live again; the replayed one is still there once.
    await sendAsBusiness(env.hub, customerId, conversationId, { text: 'Anything else?' });
    await messages('Anything else?').waitFor();
    expect(await messages('Your new card is on its way.').count()).toBe(1);
    const mids = await page
      .locator('li.msg[data-mid]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-mid')));
    expect(new Set(mids).size).toBe(mids.length);
    await shot(page, '08-reconnected');
  });

  it('names the agent above a reply sent under a persona, with their picture, live and after a reload', async () => {
    const graph = async (path: string, body: object) => {
      const res = await fetch(`${env.url}/v25.0/me/${path}?access_token=${bankToken}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as { id?: string };
    };
    const picture = `${cdn.origin}/people/dana.png`;
    const { id: personaId } = await graph('personas', { name: 'Dana · Fraud team', profile_picture_url: picture });
    const { psid } = await env.hub.ctx.storage.db
      .selectFrom('conversations')
      .select('psid')
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();
    await graph('messages', {
      recipient: { id: psid },
      messaging_type: 'RESPONSE',
      persona_id: personaId,
      message: { text: 'Dana here: your card is frozen.' },
    });
    const label = () => messages('Dana here').locator('.persona');
    await label().waitFor();
    // The bot wrote just before: a new author starts a new group, so the name shows.
    expect(await label().textContent()).toBe('Dana · Fraud team');
    expect(await label().locator('img').getAttribute('src')).toMatch(
      /^\/api\/media\/image\?url=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fpeople%2Fdana\.png&sig=/,
    );
    await page.waitForFunction(
      (el) => el instanceof HTMLImageElement && el.complete && el.naturalWidth === 1,
      await label().locator('img').elementHandle(),
    );
    expect(await messages('Anything else?').locator('.persona').count()).toBe(0);
    await shot(page, '08b-persona-reply');
    await page.reload();
    await label().waitFor();
    expect(await label().textContent()).toBe('Dana · Fraud team');
  });

  it('opens the conversation with a toast when returning from account linking', async () => {
    // Viewing the thread marks it read; wait for that so it cannot race the next test's message.
    const read = page.waitForResponse(
      (r) => r.url().endsWith(`/api/conversations/${conversationId}/read`) && r.request().method() === 'POST',
    );
    await page.goto(`${env.url}/?conversation=${encodeURIComponent(conversationId)}&linked=1`);
    await page.getByText('Your account is linked.').waitFor();
    await page.getByRole('heading', { name: 'Acme Bank', level: 2 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/c/${conversationId}`);
    expect(new URL(page.url()).search).toBe('');
    expect((await read).status()).toBe(200);
  });

  it('lists the conversation with its last message and an unread badge', async () => {
    await page.goto(`${env.url}/`);
    await page.getByRole('heading', { name: 'Chats' }).waitFor();
    await page.locator('.app[data-stream="live"]').waitFor();
    await sendAsBusiness(env.hub, customerId, conversationId, { text: 'Reminder: activate your card' });
    const row = page.getByRole('link', { name: /Acme Bank/ });
    await row.getByText('Reminder: activate your card').waitFor();
    await row.getByLabel('1 unread').waitFor();
    await shot(page, '09-inbox-desktop');
  });

  it('grants, renews and revokes consent in the privacy center', async () => {
    await page.getByRole('link', { name: 'Privacy center' }).click();
    const card = page.getByRole('article', { name: 'Acme Bank' });
    await card.getByText('No access granted').waitFor();
    // A switch saves at once; the toast offers Undo.
    await card.getByRole('switch', { name: /Fraud alerts/ }).check();
    await card.getByText('Access granted').waitFor();
    await page.getByText('Fraud alerts on for Acme Bank.').waitFor();
    await card.getByText('Consent receipts (1)').waitFor();
    const granted = await env.hub.services.consents.business(customerId, bankId);
    expect(granted.consent).toMatchObject({ status: 'active', categories: ['fraud_alerts'] });
    await shot(page, '10-privacy');

    await card.getByRole('button', { name: 'Renew' }).click();
    await card.getByText('Consent receipts (2)').waitFor();
    await card.getByRole('button', { name: 'Revoke all' }).click();
    await card.getByText('Access revoked').waitFor();
    expect((await env.hub.services.consents.business(customerId, bankId)).consent.status).toBe('revoked');
  });

  it('loads older messages on demand without moving what is on screen', async () => {
    const corner = await page.evaluate(async () => {
      const found = (await (await fetch('/api/pages?q=corner')).json()) as { data: Array<{ id: string }> };
      const res = await fetch('/api/conversations', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ page_id: found.data[0]?.id }),
      });
      return ((await res.json()) as { id: string }).id;
    });
    for (let i = 1; i <= 45; i++) await sendAsBusiness(env.hub, customerId, corner, { text: `Book ${i} of 45` });
    await page.goto(`${env.url}/c/${corner}`);
    await messages('Book 45 of 45').waitFor();
    expect(await messages('Book 1 of 45').count()).toBe(0);
    const anchor = messages('Book 16 of 45');
    await anchor.scrollIntoViewIfNeeded();
    const top = async () => (await anchor.boundingBox())?.y;
    const before = await top();
    await page.getByRole('button', { name: 'Load older messages' }).click();
    await messages('Book 1 of 45').waitFor({ state: 'attached' });
    await page.getByText('This is the start of your conversation with Corner Books.').waitFor({ state: 'attached' });
    // Same place to within a sub-pixel (scrollTop is rounded to device pixels).
    expect(Math.abs((await top())! - before!)).toBeLessThan(1);
    const order = await page.locator('li.msg .text').allInnerTexts();
    expect(order).toEqual(Array.from({ length: 45 }, (_, i) => `Book ${i + 1} of 45`));
    await shot(page, '10b-load-older');

    // Reading back: a new message must not move the view; a pill offers to jump down.
    const readingBefore = await top();
    await sendAsBusiness(env.hub, customerId, corner, { text: 'New arrivals this week' });
    await page.getByRole('button', { name: /New messages/ }).waitFor();
    expect(Math.abs((await top())! - readingBefore!)).toBeLessThan(1);
    await page.getByRole('button', { name: /New messages/ }).click();
    await page.getByRole('button', { name: /New messages/ }).waitFor({ state: 'detached' });
  });

  it('fits a 360 px phone without horizontal scrolling', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${env.url}/`);
    await page.getByRole('heading', { name: 'Chats' }).waitFor();
    expect(await hasNoHorizontalOverflow(page)).toBe(true);
    await shot(page, '11-mobile-inbox');

    await page.getByRole('link', { name: /Acme Bank/ }).click();
    await thread().waitFor();
    await messages('Reminder: activate your card').waitFor();
    expect(await page.getByRole('navigation', { name: 'Conversations' }).isVisible()).toBe(false);
    expect(await hasNoHorizontalOverflow(page)).toBe(true);
    await shot(page, '12-mobile-thread');

    await page.locator('.carousel').first().scrollIntoViewIfNeeded();
    await page
      .locator('.carousel')
      .first()
      .evaluate((el) => el.scrollBy({ left: 400 }));
    expect(await hasNoHorizontalOverflow(page)).toBe(true);
    await shot(page, '13-mobile-templates');

    await page.getByRole('link', { name: 'Back to conversations' }).click();
    await page.getByRole('link', { name: 'Privacy center' }).click();
    await page.getByRole('heading', { name: 'Privacy center' }).waitFor();
    expect(await hasNoHorizontalOverflow(page)).toBe(true);
    await shot(page, '14-mobile-privacy');

    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${env.url}/c/${conversationId}`);
    await messages('Reminder: activate your card').waitFor();
    expect(await hasNoHorizontalOverflow(page)).toBe(true);
    await shot(page, '15-mobile-dark');
  });

  it('ran without page errors or CSP violations', () => {
    expect(problems).toEqual([]);
  });

  it("never contacted the bank's image host from the browser: only the hub did, once per image", async () => {
    expect(browserRequests.length).toBeGreaterThan(10);
    expect(browserRequests.filter((u) => u.startsWith(cdn.origin))).toEqual([]);
    expect(
      browserRequests.filter((u) => !u.startsWith(env.url) && !u.startsWith(env.url.replace('http', 'ws'))),
    ).toEqual([]);
    expect(cdn.agents).toEqual(['Confide-ImageProxy/1.0', 'Confide-ImageProxy/1.0']);
    const csp =
      (await fetch(`${env.url}/`, { headers: { accept: 'text/html' } })).headers.get('content-security-policy') ?? '';
    expect(csp).toContain("img-src 'self' data: blob:");
    expect(csp).toMatch(/connect-src 'self'( ws:\/\/[^;]+)?;/);
  });
});

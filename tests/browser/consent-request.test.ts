/**
 * The shop's consent request, end to end with the real Sandbox Shop: a customer who never
 * allowed receipts checks out; the receipt is refused, so the shop asks through the hub's
 * consent card, and the hub posts its quiet notice of the refusal (once a day: a second
 * refused receipt adds none); the customer taps Allow, sees what the shop declared in the
 * hub's sheet, allows; the hub confirms in the thread, and the receipt of the next order arrives.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './axe.js';
import { tabStops } from './keyboard.js';
import { shot } from './harness.js';
import { startStoryWorld, type StoryWorld } from './story-world.js';

describe('a consent request from the shop', { timeout: 120_000 }, () => {
  let w: StoryWorld;
  let page: Page;
  let conversationId = '';
  const problems: string[] = [];

  beforeAll(async () => {
    w = await startStoryWorld();
  });
  afterAll(async () => {
    await w?.close();
  });

  /** Asks the shop's bot for a code (as the customer, in the thread) and checks out one mug with it. */
  const checkout = async () => {
    const before = await page.locator('li.msg.theirs', { hasText: 'one-time checkout code' }).count();
    await page.getByLabel('Message Sandbox Shop').fill('shop');
    await page.keyboard.press('Enter');
    const offer = page.locator('li.msg.theirs', { hasText: 'one-time checkout code' }).nth(before);
    await offer.waitFor({ timeout: 20_000 });
    const code = /code is ([A-Z0-9]{8})/.exec((await offer.textContent()) ?? '')?.[1] ?? '';
    expect(code).toMatch(/^[A-Z0-9]{8}$/);
    const res = await fetch(`${w.shopUrl}/order`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `code=${code}&qty_mug=1`,
    });
    expect(res.status).toBe(200);
    return res.text();
  };

  it('asks after checkout, grants from the customer’s tap on the hub’s sheet, and the next receipt arrives', async () => {
    const signup = await w.hub.app.inject({
      method: 'POST',
      url: '/api/signup',
      payload: { username: `cora${Date.now().toString(36)}`, password: 'correct horse battery' },
    });
    const session = signup.cookies.find((c) => c.name === 'confide_session')!;
    const shopId = (await w.hub.services.pages.searchPages('Sandbox Shop', 1))[0]!.id;
    conversationId = (
      await w.hub.app.inject({
        method: 'POST',
        url: '/api/conversations',
        headers: { cookie: `${session.name}=${session.value}` },
        payload: { page_id: shopId },
      })
    ).json().id;
    const context = await w.browser.newContext({ viewport: { width: 390, height: 844 } });
    await context.addCookies([{ name: session.name, value: session.value, url: w.hubUrl }]);
    page = await context.newPage();
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    await page.goto(`${w.hubUrl}/c/${conversationId}`);
    // Get Started stands in for the composer in a new conversation.
    await page.getByRole('button', { name: 'Get Started' }).click();
    await page.getByLabel('Message Sandbox Shop').waitFor();

    const thanks = await checkout();
    expect(thanks).toContain('tap Allow there');
    const card = page.locator('.consent-request');
    await card
      .getByText('Sandbox Shop would like to send you receipts and shipping updates.')
      .waitFor({ timeout: 20_000 });
    expect(await card.getByText('Confide · consent request').count()).toBe(1);
    // The receipt is a utility message (the shop's sandbox_order_receipt template): none arrived.
    expect(await page.getByRole('log').getByText('Your Sandbox Shop receipt').count()).toBe(0);
    // The hub also told the customer, quietly, what was refused: one collapsed line.
    const notice = page.locator('details.consent-notice');
    expect(await notice.count()).toBe(1);
    await notice.getByText('Sandbox Shop tried to send you a receipt.').click();
    await notice.getByText('Receipts are off for Sandbox Shop.').waitFor();
    await shot(page, 'consent-request-01-card-mobile');
    expect(await seriousViolations(page)).toEqual([]);
    const stops = await tabStops(page, 120);
    for (const name of ['Allow…', 'Not now', 'Attach a photo or PDF', 'Message Sandbox Shop'])
      expect(
        stops.some((s) => s.startsWith(name)),
        `${name} in ${JSON.stringify(stops)}`,
      ).toBe(true);

    // A second refused receipt the same day: no second notice, and the shop may not ask again today.
    const again = await checkout();
    expect(again).toContain('You can allow receipts and shipping updates in Confide');
    await page.waitForTimeout(500);
    expect(await notice.count()).toBe(1);
    expect(await page.locator('.consent-request').count()).toBe(1);

    await card.getByRole('button', { name: 'Allow…' }).click();
    const sheet = page.getByRole('dialog', { name: 'Allow Sandbox Shop to send you…' });
    await sheet.waitFor();
    expect(await sheet.getByRole('checkbox', { name: /Receipts/ }).isChecked()).toBe(true);
    expect(await sheet.getByRole('checkbox', { name: /Shipping updates/ }).isChecked()).toBe(true);
    await sheet.getByText('A receipt for each order you place.').waitFor();
    await shot(page, 'consent-request-02-sheet-mobile');
    expect(await seriousViolations(page)).toEqual([]);
    await sheet.getByRole('button', { name: 'Allow', exact: true }).click();
    await card.getByText('You allowed this.').waitFor();
    await page
      .getByRole('log')
      .getByText('Confide: Sandbox Shop may now send you receipts and shipping updates.', { exact: false })
      .waitFor();
    expect(await card.getByRole('button', { name: 'Allow…' }).count()).toBe(0);

    // The ledger has the grant, from the customer's own answer.
    const ledger = await w.hub.app.inject({
      method: 'GET',
      url: '/api/privacy/ledger',
      headers: { cookie: `${session.name}=${session.value}` },
    });
    expect(ledger.json().data[0]).toMatchObject({ event: 'granted', categories: ['receipts', 'shipping'] });

    const next = await checkout();
    expect(next).toContain('Your receipt is in your Sandbox Shop chat');
    await page.getByRole('log').getByText('Your Sandbox Shop receipt').waitFor({ timeout: 20_000 });
    await page
      .getByRole('log')
      .getByText(/^Thank you for your Sandbox Shop order SB-/)
      .waitFor();
    await shot(page, 'consent-request-03-receipt-mobile');
    expect(problems).toEqual([]);
  });
});

/**
 * One malformed business message must not blank the customer's web app: a file whose URL
 * has a broken %-escape renders as a file card named as sent (it threw `URIError` and
 * blanked the app), and a message or a pane whose rendering throws shows a placeholder
 * while the messages around it, the other pane and a reload keep working. The render
 * faults are injected by making `Date#toISOString` throw for one message's timestamp
 * (the thread and the conversation list both render it), as any unforeseen bug would.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findConversationOfCustomer } from '../../apps/server/src/features/conversations/store.js';
import { appendMessage } from '../../apps/server/src/timeline/index.js';
import { shot, startBrowserHub, type BrowserHub } from './harness.js';

const MALFORMED = 'https://example.com/statement-%E0%A4%A.pdf';
const T0 = Date.now() - 60_000;
/** Timestamps of the messages: the third is the one whose rendering is made to fail; the last is the list's preview. */
const AT = [T0, T0 + 1_000, T0 + 2_000, T0 + 3_000];

const faultAt = (t: number) => `(() => {
  const iso = Date.prototype.toISOString;
  Date.prototype.toISOString = function () {
    if (this.getTime() === ${t}) throw new Error('injected render fault');
    return iso.call(this);
  };
})();`;

describe('a malformed business message in the customer web app', { timeout: 60_000 }, () => {
  let env: BrowserHub;
  let cookie: { name: string; value: string; url: string };
  let conversationId: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    env = await startBrowserHub();
    const bank = await env.hub.services.pages.createPage({
      name: 'Glitch Bank',
      category: 'bank',
      description: 'Sends odd files.',
    });
    const signup = await env.hub.app.inject({
      method: 'POST',
      url: '/api/signup',
      payload: { username: `bob${Date.now().toString(36)}`, password: 'correct horse battery' },
    });
    const session = signup.cookies.find((c) => c.name === 'confide_session')!;
    cookie = { name: session.name, value: session.value, url: env.url };
    const customerId = signup.json().customer.id as string;
    const opened = await env.hub.app.inject({
      method: 'POST',
      url: '/api/conversations',
      headers: { cookie: `${session.name}=${session.value}` },
      payload: { page_id: bank.page_id },
    });
    conversationId = opened.json().id;
    const bodies = [
      { text: 'Your statement is ready' },
      { attachment: { type: 'file' as const, payload: { url: MALFORMED } } },
      { text: 'This one fails to render' },
      { text: 'Anything else?' },
    ];
    for (const [i, body] of bodies.entries()) {
      await env.hub.ctx.storage.writes.run(async (tx) => {
        const conversation = (await findConversationOfCustomer(tx.db, customerId, conversationId))!;
        return appendMessage(tx, env.hub.ctx.bus, { conversation, direction: 'out', body, now: AT[i]! });
      });
    }
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await env?.close();
  });

  /** A signed-in page on the thread, with `faults` injected, collecting uncaught errors. */
  async function openThread(faults: string[]): Promise<{ page: Page; errors: string[] }> {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    await context.addCookies([cookie]);
    for (const f of faults) await context.addInitScript(f);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${env.url}/c/${encodeURIComponent(conversationId)}`);
    return { page, errors };
  }

  const log = (page: Page) => page.getByRole('log');

  it('renders the thread containing the malformed file URL: a file card named as sent, and its neighbours', async () => {
    const { page, errors } = await openThread([]);
    await log(page).getByText('Anything else?').waitFor();
    const card = log(page).locator('a.file-card');
    expect(await card.textContent()).toContain('statement-%E0%A4%A.pdf');
    expect(await card.getAttribute('href')).toBe(MALFORMED);
    expect(await log(page).getByText('Your statement is ready').count()).toBe(1);
    await page.reload();
    await log(page).locator('a.file-card').waitFor();
    expect(errors).toEqual([]);
  });

  it('one message that throws while rendering shows a placeholder; the rest of the thread and the list stay', async () => {
    const { page, errors } = await openThread([faultAt(AT[2]!)]);
    await log(page).getByText('Anything else?').waitFor();
    expect(await log(page).getByText('This message can’t be shown.').count()).toBe(1);
    expect(await log(page).getByText('This one fails to render').count()).toBe(0);
    expect(await log(page).locator('a.file-card').count()).toBe(1);
    expect(await log(page).getByText('Your statement is ready').count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'Chats' }).count()).toBe(1);
    await shot(page, 'bad-message-placeholder');
    await page.reload();
    await log(page).getByText('This message can’t be shown.').waitFor();
    expect(errors).toEqual([]);
  });

  it('a pane that throws (the conversation list) shows its placeholder; the open thread keeps working', async () => {
    const { page, errors } = await openThread([faultAt(AT[3]!)]);
    await page.getByText('Something went wrong showing this.').waitFor();
    // The list is gone, the thread is there: the failing last message is itself replaced by a placeholder.
    expect(await page.getByRole('heading', { name: 'Chats' }).count()).toBe(0);
    await log(page).getByText('Your statement is ready').waitFor();
    expect(await log(page).getByText('This message can’t be shown.').count()).toBe(1);
    expect(await page.getByRole('textbox').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });
});

/**
 * The agent inbox in a real Chromium against a real hub, with two browser contexts: the
 * bank's bot hands alice's conversation to the page inbox through the Graph handover
 * endpoint; the agent sees it arrive live in the queue, takes it and replies; alice sees
 * the reply live; the agent resolves (with a note for the bot): alice gets the closing message and
 * the bot the thread; the closed view finds the conversation by a word alice wrote, and it reopens
 * with the agent when alice writes again.
 */
import { PAGE_INBOX_APP_ID } from '@confide/protocol';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shot, startBrowserHub, type BrowserHub } from './harness.js';

describe('agent inbox', { timeout: 60_000 }, () => {
  let env: BrowserHub;
  let bank: { page_id: string; app_id: string; page_access_token: string };
  let customer: { context: BrowserContext; page: Page };
  let agent: { context: BrowserContext; page: Page };
  let customerId: string;
  let conversationId: string;
  const username = `alice${Date.now().toString(36)}`;
  /** Page errors and CSP violations: neither app may produce any. */
  const problems: string[] = [];

  const watch = (page: Page) => {
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text()))
        problems.push(`csp: ${msg.text()}`);
    });
  };

  const threadOwner = async () =>
    (
      await env.hub.ctx.storage.db
        .selectFrom('conversations')
        .select('thread_owner_app_id')
        .where('id', '=', conversationId)
        .executeTakeFirstOrThrow()
    ).thread_owner_app_id;

  beforeAll(async () => {
    env = await startBrowserHub({ INBOX_REOPEN_MINUTES: '30' });
    // The webhook URL never answers: handover events stay in the outbox for the test to read.
    bank = await env.hub.services.pages.createPage({
      name: 'Acme Bank',
      category: 'bank',
      description: 'Everyday banking, privately.',
      webhookUrl: 'http://127.0.0.1:9/hook',
      verifyToken: 'v',
    });
    await env.hub.services.agents.create({
      pageId: bank.page_id,
      username: 'ada',
      password: 'agent password 1',
      displayName: 'Ada',
    });
    // A page-wide canned response (supervisors create them through the API; set up directly here).
    await env.hub.ctx.storage.writes.run(({ db }) =>
      db
        .insertInto('inbox_canned')
        .values({
          id: 'cr_greeting',
          page_id: bank.page_id,
          team_id: null,
          title: 'Greeting',
          text: 'Hello {{first_name}}, thanks for waiting.',
          created_at: Date.now(),
        })
        .execute(),
    );
    const open = async () => {
      const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      watch(page);
      return { context, page };
    };
    customer = await open();
    agent = await open();
  });

  afterAll(async () => {
    await env?.close();
  });

  it('alice writes to her bank', async () => {
    const page = customer.page;
    await page.goto(env.url);
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('button', { name: 'Find a bank or business' }).click();
    await page.getByLabel('Search banks and businesses').fill('acme');
    await page.getByRole('button', { name: /Acme Bank/ }).click();
    await page.getByRole('heading', { name: 'Acme Bank', level: 2 }).waitFor();
    conversationId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
    const composer = page.getByLabel('Message Acme Bank');
    await composer.fill('I need to talk to a person');
    await composer.press('Enter');
    await page
      .locator('li.msg', { hasText: 'I need to talk to a person' })
      .locator('.ticks[data-state="sent"]')
      .waitFor();
    const me = await page.evaluate(() =>
      fetch('/api/me').then((r) => r.json() as Promise<{ customer: { id: string } }>),
    );
    customerId = me.customer.id;
    await shot(page, 'inbox-01-customer-writes');
  });

  it('the agent logs in to an empty queue', async () => {
    const page = agent.page;
    await page.goto(`${env.url}/inbox`);
    await page.getByRole('heading', { name: 'Agent sign in' }).waitFor();
    await page.getByLabel('Username').fill('ada');
    await page.getByLabel('Password').fill('agent password 1');
    await shot(page, 'inbox-02-agent-login');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Queue' }).waitFor();
    await page.getByText('Nobody is waiting').waitFor();
    await shot(page, 'inbox-03-empty-queue');
  });

  it('the bot passes the conversation to the page inbox; it appears live in the queue', async () => {
    const { psid } = await env.hub.ctx.storage.db
      .selectFrom('conversations')
      .select('psid')
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();
    // The bot asked a question with a button template before handing over.
    const asked = await fetch(`${env.url}/v25.0/me/messages?access_token=${bank.page_access_token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        recipient: { id: psid },
        messaging_type: 'RESPONSE',
        message: {
          attachment: {
            type: 'template',
            payload: {
              template_type: 'button',
              text: 'Shall I find you a person?',
              buttons: [{ type: 'postback', title: 'Yes please', payload: 'AGENT' }],
            },
          },
        },
      }),
    });
    expect(asked.status).toBe(200);
    const res = await fetch(`${env.url}/v25.0/me/pass_thread_control?access_token=${bank.page_access_token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ recipient: { id: psid }, target_app_id: PAGE_INBOX_APP_ID, metadata: 'wants a human' }),
    });
    expect(await res.json()).toEqual({ success: true });
    const entry = agent.page.getByRole('link', { name: new RegExp(username) });
    await entry.waitFor();
    expect(await entry.textContent()).toContain('Shall I find you a person?');
    expect(await entry.textContent()).toContain('just now');
    await shot(agent.page, 'inbox-04-queued-live');
    // alice learns she is waiting for a person, and her place in the queue.
    await customer.page.getByRole('status').getByText('Waiting for a person to join. You are next.').waitFor();
  });

  it('the agent opens it (history, PSID, profile), takes it and replies; alice sees the reply live', async () => {
    const page = agent.page;
    await page.getByRole('link', { name: new RegExp(username) }).click();
    await page.getByRole('heading', { name: username, level: 2 }).waitFor();
    const { psid } = await env.hub.ctx.storage.db
      .selectFrom('conversations')
      .select('psid')
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();
    await page.locator('.inbox-profile .psid', { hasText: psid }).waitFor();
    await page.getByRole('log').getByText('I need to talk to a person').waitFor();
    // The bot's template as alice sees it, through the messenger's components: its button shown, not usable.
    await page.getByRole('log').getByText('Shall I find you a person?').waitFor();
    expect(await page.getByRole('log').locator('.msg-button.shown', { hasText: 'Yes please' }).count()).toBe(1);
    await page.getByText('wants a human').waitFor();
    await page.getByText('Updates allowed').waitFor();
    expect(await page.locator('body').textContent()).not.toContain(customerId);
    await shot(page, 'inbox-05-conversation');

    await page.getByRole('button', { name: 'Take' }).click();
    await page.getByText('Taken by you').waitFor();
    // alice is told a person joined (a system line, not a bubble); the waiting notice goes.
    await customer.page.locator('li.msg.system', { hasText: 'Ada joined' }).waitFor();
    await customer.page.getByText('Waiting for a person to join').waitFor({ state: 'detached' });
    const reply = page.getByLabel(`Reply to ${username}`);
    await reply.fill('Hi, this is Ada from Acme Bank. How can I help?');
    // The agent's typing reaches alice.
    await customer.page.locator('.thread-subtitle', { hasText: 'typing…' }).waitFor();
    await reply.press('Enter');
    await page.getByRole('log').getByText('Hi, this is Ada from Acme Bank').waitFor();
    await shot(page, 'inbox-06-agent-replied');

    const answer = customer.page.locator('li.msg', { hasText: 'Hi, this is Ada from Acme Bank' });
    await answer.waitFor();
    // Above the reply: the agent's persona (no picture: agents' personas have none).
    expect(await answer.locator('.persona').textContent()).toBe('Ada');
    expect(await answer.locator('.persona img').count()).toBe(0);
    await shot(customer.page, 'inbox-07-customer-sees-reply');
    const stored = await env.hub.ctx.storage.db
      .selectFrom('messages')
      .select(['tag', 'persona_id', 'messaging_type'])
      .where('direction', '=', 'out')
      .orderBy('id')
      .execute();
    // The bot's question, the hub's system line, then the agent's reply under the persona.
    expect(stored).toEqual([
      { tag: null, persona_id: null, messaging_type: 'RESPONSE' },
      { tag: null, persona_id: null, messaging_type: 'CONFIDE_SYSTEM' },
      { tag: 'HUMAN_AGENT', persona_id: expect.any(String), messaging_type: 'MESSAGE_TAG' },
    ]);
  });

  it("alice's next message shows up in the agent's conversation live: one frame, no re-read, no new recorded view", async () => {
    const reads: string[] = [];
    const count = (req: { url: () => string; method: () => string }) => {
      if (req.method() === 'GET' && new URL(req.url()).pathname.startsWith('/inbox/api/'))
        reads.push(new URL(req.url()).pathname);
    };
    const viewsBefore = (await env.hub.ctx.storage.db.selectFrom('agent_views').select('id').execute()).length;
    agent.page.on('request', count);
    const composer = customer.page.getByLabel('Message Acme Bank');
    await composer.fill('My card was swallowed by an ATM');
    await composer.press('Enter');
    await agent.page.getByRole('log').getByText('My card was swallowed by an ATM').waitFor();
    // The queue's preview follows the same frame.
    await agent.page
      .getByRole('link', { name: new RegExp(username) })
      .getByText('My card was swallowed by an ATM')
      .waitFor();
    await new Promise((r) => setTimeout(r, 300));
    agent.page.off('request', count);
    expect(reads).toEqual([]);
    expect((await env.hub.ctx.storage.db.selectFrom('agent_views').select('id').execute()).length).toBe(viewsBefore);
  });

  it('the agent leaves an internal note: other agents see it, alice never does', async () => {
    const page = agent.page;
    // A canned response fills the reply box with alice's name.
    await page.getByLabel('Canned response').selectOption('cr_greeting');
    await expect
      .poll(() => page.getByLabel(`Reply to ${username}`).inputValue())
      .toBe(`Hello ${username}, thanks for waiting.`);
    await page.getByLabel(`Reply to ${username}`).fill('');
    await page.getByText(/^Internal notes/).click();
    await page.getByLabel('Add an internal note').fill('Verified her by phone');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByRole('list', { name: 'Internal notes' }).getByText('Verified her by phone').waitFor();
    await customer.page.waitForTimeout(300);
    expect(await customer.page.locator('body').textContent()).not.toContain('Verified her by phone');
  });

  it('Resolve sends the closing message and hands the conversation back to the bot with the agent’s note', async () => {
    const page = agent.page;
    await page.getByLabel('Note for the assistant').fill('approve unlock 4821');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByText('Nobody is waiting').waitFor();
    await shot(page, 'inbox-08-resolved');
    const closing = customer.page.locator('li.msg', { hasText: 'Thanks for chatting with us' });
    await closing.waitFor();
    expect(await closing.locator('.persona').textContent()).toBe('Ada');
    await customer.page.locator('li.msg.system', { hasText: 'Ada left, you are back with the assistant' }).waitFor();
    await shot(customer.page, 'inbox-08b-customer-back-with-assistant');
    expect(await threadOwner()).toBeNull();
    const handovers = await env.hub.ctx.storage.db
      .selectFrom('webhook_outbox')
      .select(['app_id', 'payload'])
      .where('field', '=', 'messaging_handovers')
      .execute();
    expect(
      await Promise.all(
        handovers.map(async (h) => ({
          app: h.app_id,
          item: await env.hub.ctx.storage.vault.openPayload(
            { purpose: 'deliver_to_business', actor: 'test' },
            customerId,
            h.payload,
          ),
        })),
      ),
    ).toEqual([
      {
        app: bank.app_id,
        item: expect.objectContaining({
          pass_thread_control: {
            previous_owner_app_id: PAGE_INBOX_APP_ID,
            new_owner_app_id: bank.app_id,
            metadata: 'approve unlock 4821',
          },
        }),
      },
    ]);
    expect(problems).toEqual([]);
  });

  it('the closed view finds the conversation by a word alice wrote and opens it read-only', async () => {
    const page = agent.page;
    await page.getByRole('link', { name: 'Closed' }).click();
    await page.getByRole('heading', { name: 'Closed conversations' }).waitFor();
    await page.getByRole('list', { name: /Closed conversations \(1\)/ }).waitFor();
    await page.getByLabel('Search closed conversations').fill('swallowed atm');
    await page.getByRole('button', { name: 'Search' }).click();
    const hit = page.getByRole('link', { name: new RegExp(username) });
    await hit.getByText('My card was swallowed by an ATM').waitFor();
    await page.getByLabel('Search closed conversations').fill('no such words here');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No resolved conversation matches.').waitFor();
    await page.getByLabel('Search closed conversations').fill(username);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: new RegExp(username) }).click();
    await page.getByText(/^Resolved: .* is back with the assistant/).waitFor();
    expect(await page.getByLabel(`Reply to ${username}`).count()).toBe(0);
    await shot(page, 'inbox-09-closed-view');
  });

  it('alice writes again soon after: the conversation reopens with the agent', async () => {
    const composer = customer.page.getByLabel('Message Acme Bank');
    await composer.fill('One more question about the card');
    await composer.press('Enter');
    await agent.page.getByText('Taken by you').waitFor();
    await agent.page.getByRole('log').getByText('One more question about the card').waitFor();
    await agent.page.getByLabel(`Reply to ${username}`).waitFor();
    expect(await threadOwner()).toBe(PAGE_INBOX_APP_ID);
    expect(problems).toEqual([]);
  });
});

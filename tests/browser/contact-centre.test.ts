/**
 * Issue 20's "done when" story in a real Chromium, three browser contexts against one hub:
 * the customer (alice), an agent of the Fraud team (Ada) and a supervisor (Rosa). The bank's
 * bot sends alice a fraud alert (a button template) and hands her over to the Fraud team, whose
 * other agent (Ben) is at capacity: the hand-over is auto-assigned to Ada. alice sees "Ada …
 * joined" and Ada's typing; Ada sees the alert as alice sees it, fills a canned response (first
 * name and case reference), leaves an internal note and asks for a card unlock approval; Rosa
 * approves it in the supervisor view; the bank's webhook (a local receiver) gets the signed
 * decision; Ada resolves; alice sees the closing message and rates the chat with one tap, which
 * the bank receives as `messaging_feedback`.
 */
import { PAGE_INBOX_APP_ID } from '@confide/protocol';
import { verifyWebhook } from '@confide/sdk';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  customerContext,
  logInAgent,
  openConversation,
  shot,
  signUpCustomer,
  startBrowserHub,
  startWebhookReceiver,
  type BrowserCustomer,
  type BrowserHub,
  type TestPage,
  type WebhookReceiver,
} from './harness.js';

const ALERT = 'Security check: a payment of €420.00 at ELECTRO-WORLD ONLINE was declined. Was this you?';

describe('contact centre: customer, agent and supervisor', { timeout: 120_000 }, () => {
  let env: BrowserHub;
  let receiver: WebhookReceiver;
  let bank: TestPage;
  let alice: BrowserCustomer;
  let conversationId: string;
  const tabs: Record<'customer' | 'agent' | 'supervisor', { context: BrowserContext; page: Page }> = {} as never;
  const problems: string[] = [];

  const psidOf = async (conversation: string) =>
    (
      await env.hub.ctx.storage.db
        .selectFrom('conversations')
        .select('psid')
        .where('id', '=', conversation)
        .executeTakeFirstOrThrow()
    ).psid;
  const graph = async (path: string, body: object) => {
    const res = await fetch(`${env.url}/v25.0/me/${path}?access_token=${bank.page_access_token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
  };
  const toFraud = async (conversation: string, reason: string) =>
    graph('pass_thread_control', {
      recipient: { id: await psidOf(conversation) },
      target_app_id: PAGE_INBOX_APP_ID,
      metadata: JSON.stringify({ team: 'Fraud', reason, case_ref: 'FR-1042' }),
    });
  const assigneeOf = async (conversation: string) =>
    (
      await env.hub.ctx.storage.db
        .selectFrom('inbox_threads as t')
        .leftJoin('agents as a', 'a.id', 't.agent_id')
        .select('a.username')
        .where('t.conversation_id', '=', conversation)
        .executeTakeFirstOrThrow()
    ).username;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    env = await startBrowserHub({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_MS: '50', INBOX_CSAT: 'true' });
    bank = await env.hub.services.pages.createPage({
      name: 'Acme Bank',
      category: 'bank',
      description: 'Everyday banking, privately.',
      webhookUrl: receiver.url,
      verifyToken: 'v',
    });
    // The bank's app subscribes to decisions and ratings (set directly: the handshake is covered elsewhere).
    await env.hub.ctx.storage.writes.run(({ db }) =>
      db
        .updateTable('apps')
        .set({ subscribed_fields: JSON.stringify(['messages', 'approvals', 'messaging_feedback']) })
        .where('id', '=', bank.app_id)
        .execute(),
    );
    const fraud = await env.hub.services.inbox.createTeam({ pageId: bank.page_id, name: 'Fraud', autoAssign: true });
    const agents = [
      { username: 'ada', displayName: 'Ada', role: 'agent', team: 'Fraud', capacity: 2 },
      { username: 'ben', displayName: 'Ben', role: 'agent', team: 'Fraud', capacity: 1 },
      { username: 'rosa', displayName: 'Rosa', role: 'supervisor' },
    ] as const;
    for (const a of agents)
      await env.hub.services.agents.create({ pageId: bank.page_id, password: 'agent password 1', ...a });
    await env.hub.ctx.storage.writes.run(({ db }) =>
      db
        .insertInto('inbox_canned')
        .values({
          id: 'cr_fraud_hello',
          page_id: bank.page_id,
          team_id: fraud.id,
          title: 'Fraud: hello',
          text: 'Hello {{first_name}}, I am looking at case {{case_ref}} now.',
          created_at: Date.now(),
        })
        .execute(),
    );
    alice = await signUpCustomer(env, 'alice');
    conversationId = await openConversation(env, alice, bank.page_id);
    for (const role of ['customer', 'agent', 'supervisor'] as const) {
      const context =
        role === 'customer'
          ? await customerContext(env, alice, { viewport: { width: 420, height: 800 } })
          : await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      page.on('pageerror', (err) => problems.push(`${role} pageerror: ${err.message}`));
      tabs[role] = { context, page };
    }
  });

  afterAll(async () => {
    await env?.close();
    receiver?.close();
  });

  it('Ben is busy: his one conversation fills his capacity', async () => {
    // Ben is online (over the API) and gets bob's hand-over, the only online agent of the team.
    const login = await env.hub.app.inject({
      method: 'POST',
      url: '/inbox/api/login',
      payload: { username: 'ben', password: 'agent password 1' },
    });
    const cookie = `confide_agent=${login.cookies.find((c) => c.name === 'confide_agent')?.value}`;
    const online = await env.hub.app.inject({
      method: 'PUT',
      url: '/inbox/api/me/status',
      headers: { cookie },
      payload: { status: 'online' },
    });
    expect(online.statusCode).toBe(204);
    const bob = await signUpCustomer(env, 'bob');
    const bobConversation = await openConversation(env, bob, bank.page_id);
    await env.hub.app.inject({
      method: 'POST',
      url: `/api/conversations/${bobConversation}/messages`,
      headers: { cookie: bob.cookie },
      payload: { text: 'A strange payment on my card' },
    });
    await toFraud(bobConversation, 'unknown payment');
    expect(await assigneeOf(bobConversation)).toBe('ben');
  });

  it('alice writes, gets the fraud alert and is handed to Fraud: auto-assigned to Ada, she sees Ada join and type', async () => {
    const { page } = tabs.customer;
    await page.goto(`${env.url}/c/${encodeURIComponent(conversationId)}`);
    const composer = page.getByLabel('Message Acme Bank');
    await composer.fill('My card was declined in a shop I never visited');
    await composer.press('Enter');
    // Sent, then delivered quickly: the bank's webhook receiver answers at once.
    await page.locator('li.msg', { hasText: 'never visited' }).locator('.ticks').waitFor();
    await graph('messages', {
      recipient: { id: await psidOf(conversationId) },
      messaging_type: 'RESPONSE',
      message: {
        attachment: {
          type: 'template',
          payload: {
            template_type: 'button',
            text: ALERT,
            buttons: [
              { type: 'postback', title: 'Yes, it was me', payload: 'FRAUD:yes' },
              { type: 'postback', title: 'No, not me', payload: 'FRAUD:no' },
            ],
          },
        },
      },
    });
    await page.locator('li.msg', { hasText: 'ELECTRO-WORLD' }).waitFor();

    // Ada signs in and goes online; then the bot hands alice over to the Fraud team.
    const agent = tabs.agent.page;
    await logInAgent(env, agent, 'ada');
    await agent.getByLabel('Your status').selectOption('online');
    await expect
      .poll(
        async () =>
          (
            await env.hub.ctx.storage.db
              .selectFrom('agents')
              .select('status')
              .where('username', '=', 'ada')
              .executeTakeFirstOrThrow()
          ).status,
      )
      .toBe('online');
    await toFraud(conversationId, 'card declined abroad');
    expect(await assigneeOf(conversationId)).toBe('ada');
    await page.locator('li.msg.system', { hasText: /Ada.*joined/ }).waitFor();

    const entry = agent.getByRole('link', { name: new RegExp(alice.username) });
    await entry.click();
    await agent.getByText('Taken by you').waitFor();
    await agent.getByText('card declined abroad').waitFor();
    const reply = agent.getByLabel(`Reply to ${alice.username}`);
    await reply.fill('One moment please');
    await page.locator('.thread-subtitle', { hasText: 'typing…' }).waitFor();
    await reply.fill('');
    await shot(page, 'contact-centre-01-customer-joined-typing');
  });

  it('Ada sees the alert as alice sees it, answers with a canned response and leaves a note', async () => {
    const agent = tabs.agent.page;
    const customer = tabs.customer.page;
    const alertIn = (page: Page) => page.getByRole('log').locator('li.msg', { hasText: 'ELECTRO-WORLD' });
    await alertIn(agent).waitFor();
    const seen = async (page: Page) => ({
      text: (await alertIn(page).locator('.msg-text, p').first().textContent())?.trim(),
      buttons: await alertIn(page).locator('.msg-button').allTextContents(),
    });
    const customerSees = await seen(customer);
    expect(customerSees.text).toBe(ALERT);
    expect(customerSees.buttons.map((b) => b.trim())).toEqual(['Yes, it was me', 'No, not me']);
    expect(await seen(agent)).toEqual(customerSees);
    // The agent's copy shows the buttons but cannot press them for the customer.
    expect(await alertIn(agent).locator('.msg-button.shown').count()).toBe(2);

    await agent.getByLabel('Canned response').selectOption('cr_fraud_hello');
    const text = `Hello ${alice.username}, I am looking at case FR-1042 now.`;
    await expect.poll(() => agent.getByLabel(`Reply to ${alice.username}`).inputValue()).toBe(text);
    await agent.getByLabel(`Reply to ${alice.username}`).press('Enter');
    const answer = customer.locator('li.msg', { hasText: 'case FR-1042' });
    await answer.waitFor();
    expect(await answer.locator('.persona').textContent()).toBe('Ada');

    await agent.getByText(/^Internal notes/).click();
    await agent.getByLabel('Add an internal note').fill('Declined payment matches the fraud pattern of FR-1042');
    await agent.getByRole('button', { name: 'Add note' }).click();
    await agent.getByRole('list', { name: 'Internal notes' }).getByText('matches the fraud pattern').waitFor();
    await shot(agent, 'contact-centre-02-agent');
  });

  it('Ada asks for a card unlock; Rosa approves it in the supervisor view; the bank receives the decision', async () => {
    const agent = tabs.agent.page;
    await agent.getByLabel('Approval kind').selectOption('card_unlock');
    await agent.getByLabel('What needs approval').fill('Unlock the debit card: alice confirmed the trip by phone');
    await agent.getByRole('button', { name: 'Ask for approval' }).click();
    const asked = agent.getByRole('listitem', { name: /Approval request: Unlock the debit card/ });
    await asked.locator('.approval-status', { hasText: 'pending' }).waitFor();
    expect(await asked.getByRole('button', { name: 'Approve' }).count()).toBe(0);

    const page = tabs.supervisor.page;
    await logInAgent(env, page, 'rosa');
    await page.getByRole('link', { name: 'Supervision' }).click();
    await page.getByRole('heading', { name: 'Approvals waiting (1)' }).waitFor();
    const request = page.getByRole('listitem', { name: /Approval request: Unlock the debit card/ });
    await request.getByText(/^Ada asked at/).waitFor();
    await request.getByLabel('Decision note').fill('Trip confirmed, card unlock is fine');
    await shot(page, 'contact-centre-03-supervisor');
    await request.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('heading', { name: 'Approvals waiting (0)' }).waitFor();

    const delivery = await receiver.delivery('"approval"');
    expect(delivery).toBeDefined();
    await expect(verifyWebhook(delivery?.body ?? '', delivery?.headers ?? {}, bank.app_secret)).resolves.toBeTruthy();
    const event = JSON.parse(delivery?.body ?? '{}').entry[0].messaging[0];
    expect(event.sender).toEqual({ id: await psidOf(conversationId) });
    expect(event.approval).toMatchObject({
      kind: 'card_unlock',
      status: 'approved',
      note: 'Trip confirmed, card unlock is fine',
      decided_by: { name: 'Rosa' },
      requested_by: 'agent',
    });
    await asked.locator('.approval-status', { hasText: 'approved' }).waitFor();
  });

  it('Ada resolves; alice sees the closing message and rates the chat with one tap', async () => {
    const agent = tabs.agent.page;
    await agent.getByRole('button', { name: 'Resolve' }).click();
    // Bob's conversation (Ben's) stays in the queue; alice's leaves it.
    await agent.getByRole('link', { name: new RegExp(alice.username) }).waitFor({ state: 'detached' });
    const customer = tabs.customer.page;
    const closing = customer.locator('li.msg', { hasText: 'Thanks for chatting with us' });
    await closing.waitFor();
    await customer.locator('li.msg.system', { hasText: 'Ada left, you are back with the assistant' }).waitFor();
    await customer.locator('li.msg', { hasText: 'How satisfied are you' }).waitFor();
    const replies = customer.getByRole('group', { name: 'Suggested replies' });
    await replies.getByRole('button', { name: /^5/ }).click();
    await replies.waitFor({ state: 'detached' });
    await shot(customer, 'contact-centre-04-customer-rated');

    const rating = await receiver.delivery('"messaging_feedback"');
    expect(rating).toBeDefined();
    expect(JSON.stringify(JSON.parse(rating?.body ?? '{}').entry[0].messaging[0].messaging_feedback)).toContain('5');
    const stored = await env.hub.ctx.storage.db
      .selectFrom('inbox_csat as q')
      .innerJoin('agents as a', 'a.id', 'q.agent_id')
      .select(['a.username', 'q.score', 'q.conversation_id'])
      .execute();
    expect(stored).toEqual([{ username: 'ada', score: 5, conversation_id: conversationId }]);
    expect(problems).toEqual([]);
  });
});

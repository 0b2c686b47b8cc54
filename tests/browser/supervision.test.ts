/**
 * Four-eyes in a real Chromium against a real hub, with an agent and a supervisor context: the
 * bank's bot hands alice's conversation to the Fraud team (which has SLA targets: the agent sees
 * the first-reply countdown); the agent takes it and asks for a card unlock approval; the
 * supervisor opens the supervisor view, sees the request and approves it with a note; the bank's
 * webhook (a local receiver) gets the `approvals` event, signed, and the agent's pane shows it approved;
 * the supervisor reads the conversation without taking it (audited).
 */
import { PAGE_INBOX_APP_ID } from '@confide/protocol';
import { verifyWebhook } from '@confide/sdk';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  logInAgent,
  shot,
  startBrowserHub,
  startWebhookReceiver,
  type BrowserHub,
  type WebhookReceiver,
} from './harness.js';

describe('inbox supervision: four-eyes approval', { timeout: 90_000 }, () => {
  let env: BrowserHub;
  let receiver: WebhookReceiver;
  let bank: { page_id: string; app_id: string; page_access_token: string; app_secret: string };
  let agent: { context: BrowserContext; page: Page };
  let supervisor: { context: BrowserContext; page: Page };
  let conversationId: string;
  const problems: string[] = [];
  const username = `alice${Date.now().toString(36)}`;

  const open = async () => {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    return { context, page };
  };
  const logIn = (page: Page, name: string) => logInAgent(env, page, name);

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    env = await startBrowserHub({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_MS: '50' });
    bank = await env.hub.services.pages.createPage({
      name: 'Acme Bank',
      category: 'bank',
      description: 'Everyday banking, privately.',
      webhookUrl: receiver.url,
      verifyToken: 'v',
    });
    // The bank's app subscribes to `approvals` (set directly: the handshake is covered elsewhere).
    await env.hub.ctx.storage.writes.run(({ db }) =>
      db
        .updateTable('apps')
        .set({ subscribed_fields: JSON.stringify(['messages', 'approvals']) })
        .where('id', '=', bank.app_id)
        .execute(),
    );
    const fraud = await env.hub.services.inbox.createTeam({ pageId: bank.page_id, name: 'Fraud', autoAssign: false });
    for (const [name, role] of [
      ['ada', 'agent'],
      ['rosa', 'supervisor'],
    ] as const)
      await env.hub.services.agents.create({
        pageId: bank.page_id,
        username: name,
        password: 'agent password 1',
        displayName: name === 'ada' ? 'Ada' : 'Rosa',
        role,
        team: 'Fraud',
      });
    await env.hub.ctx.storage.writes.run(({ db }) =>
      db
        .insertInto('inbox_sla_policies')
        .values({
          team_id: fraud.id,
          page_id: bank.page_id,
          first_reply_ms: 600_000,
          resolution_ms: 3_600_000,
          updated_at: Date.now(),
        })
        .execute(),
    );
    // alice writes to the bank (through the customer API).
    const signup = await env.hub.app.inject({
      method: 'POST',
      url: '/api/signup',
      payload: { username, password: 'correct horse battery' },
    });
    const cookie = `confide_session=${signup.cookies.find((c) => c.name === 'confide_session')?.value}`;
    const conv = await env.hub.app.inject({
      method: 'POST',
      url: '/api/conversations',
      headers: { cookie },
      payload: { page_id: bank.page_id },
    });
    conversationId = conv.json().id;
    await env.hub.app.inject({
      method: 'POST',
      url: `/api/conversations/${conversationId}/messages`,
      headers: { cookie },
      payload: { text: 'My card is blocked, I was abroad' },
    });
    agent = await open();
    supervisor = await open();
  });

  afterAll(async () => {
    await env?.close();
    receiver?.close();
  });

  it('the bot hands over to Fraud; the agent sees the SLA countdown, takes it and asks for an unlock approval', async () => {
    await logIn(agent.page, 'ada');
    const { psid } = await env.hub.ctx.storage.db
      .selectFrom('conversations')
      .select('psid')
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();
    const res = await fetch(`${env.url}/v25.0/me/pass_thread_control?access_token=${bank.page_access_token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        recipient: { id: psid },
        target_app_id: PAGE_INBOX_APP_ID,
        metadata: JSON.stringify({ team: 'Fraud', reason: 'card locked abroad' }),
      }),
    });
    expect(await res.json()).toEqual({ success: true });
    const page = agent.page;
    const entry = page.getByRole('link', { name: new RegExp(username) });
    await entry.waitFor();
    await entry.locator('[data-sla="first_reply"]', { hasText: /First reply in \d+:\d\d/ }).waitFor();
    await entry.click();
    await page.getByRole('button', { name: 'Take' }).click();
    await page.getByText('Taken by you').waitFor();
    await page.locator('.thread-subtitle [data-sla="first_reply"]').waitFor();
    await page.getByLabel('Approval kind').selectOption('card_unlock');
    await page.getByLabel('What needs approval').fill('Unlock the debit card: alice confirmed the trip by phone');
    await page.getByRole('button', { name: 'Ask for approval' }).click();
    const request = page.getByRole('listitem', { name: /Approval request: Unlock the debit card/ });
    await request.locator('.approval-status', { hasText: 'pending' }).waitFor();
    // The asking agent cannot decide it.
    expect(await request.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await shot(page, 'supervision-01-agent-asked');
  });

  it('the supervisor approves it in the supervisor view; the bank gets the decision; the agent sees it', async () => {
    const page = supervisor.page;
    await logIn(page, 'rosa');
    await page.getByRole('link', { name: 'Supervision' }).click();
    await page.getByRole('heading', { name: 'Supervision' }).waitFor();
    await page.getByRole('heading', { name: 'Approvals waiting (1)' }).waitFor();
    await page.getByRole('cell', { name: 'Ada' }).waitFor();
    const request = page.getByRole('listitem', { name: /Approval request: Unlock the debit card/ });
    await request.getByLabel('Decision note').fill('Travel confirmed with the customer');
    await shot(page, 'supervision-02-supervisor-view');
    await request.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('heading', { name: 'Approvals waiting (0)' }).waitFor();

    const delivery = await receiver.delivery('"approval"');
    expect(delivery).toBeDefined();
    // Signed with the bank's app secret, as every webhook.
    await expect(verifyWebhook(delivery?.body ?? '', delivery?.headers ?? {}, bank.app_secret)).resolves.toBeTruthy();
    const event = JSON.parse(delivery?.body ?? '{}').entry[0].messaging[0];
    expect(event.approval).toMatchObject({
      kind: 'card_unlock',
      status: 'approved',
      note: 'Travel confirmed with the customer',
      decided_by: { name: 'Rosa' },
      requested_by: 'agent',
    });
    await agent.page
      .getByRole('listitem', { name: /Approval request: Unlock the debit card/ })
      .locator('.approval-status', { hasText: 'approved' })
      .waitFor();
    await shot(agent.page, 'supervision-03-agent-sees-approved');
    // The supervisor reads the conversation without taking it; the read is audited.
    await page.getByRole('link', { name: new RegExp(username) }).click();
    await page.getByText('Taken by Ada').waitFor();
    await page.getByRole('log').getByText('My card is blocked, I was abroad').waitFor();
    const reads = await env.hub.ctx.storage.db
      .selectFrom('audit_log')
      .select(['target'])
      .where('action', '=', 'inbox.supervisor_read')
      .execute();
    expect(reads).toEqual([{ target: conversationId }]);
    expect(problems).toEqual([]);
  });

  it('the supervisor view shows the last 7 days of satisfaction answers per team and agent', async () => {
    const ada = await env.hub.ctx.storage.db
      .selectFrom('agents')
      .select(['id', 'team_id'])
      .where('username', '=', 'ada')
      .executeTakeFirstOrThrow();
    // Two answers for Ada (the question and tap themselves are covered by the server's csat.test.ts).
    await env.hub.ctx.storage.writes.run(({ db }) =>
      db
        .insertInto('inbox_csat')
        .values(
          [4, 5].map((score) => ({
            id: `csat_browser_${score}`,
            page_id: bank.page_id,
            conversation_id: conversationId,
            agent_id: ada.id,
            team_id: ada.team_id,
            token_hash: `hash-${score}`,
            asked_at: Date.now(),
            score,
            answered_at: Date.now(),
          })),
        )
        .execute(),
    );
    const page = supervisor.page;
    await page.goto(`${env.url}/inbox/supervision`);
    await page.getByRole('heading', { name: 'Satisfaction, last 7 days' }).waitFor();
    const perAgent = page.getByRole('table', { name: 'Satisfaction per agent' });
    await perAgent.getByRole('row', { name: /Ada 4\.50 2/ }).waitFor();
    await page
      .getByRole('table', { name: 'Satisfaction per team' })
      .getByRole('row', { name: /Fraud 4\.50 2/ })
      .waitFor();
    await shot(page, 'supervision-04-csat');
    expect(problems).toEqual([]);
  });
});

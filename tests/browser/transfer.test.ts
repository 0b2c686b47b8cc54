/**
 * Issue 20's manual transfer in a real Chromium: Ada (Fraud team) has alice's conversation and
 * transfers it, with the keyboard, to the Cards team with a note. The pane shows the new team and
 * the note among the internal notes; Cal of the Cards team finds it in his queue and reads the
 * note; alice never sees the note.
 */
import { PAGE_INBOX_APP_ID } from '@confide/protocol';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './axe.js';
import {
  customerContext,
  logInAgent,
  openConversation,
  shot,
  signUpCustomer,
  startBrowserHub,
  type BrowserCustomer,
  type BrowserHub,
  type TestPage,
} from './harness.js';

const NOTE = 'Card reported stolen after the fraud check; needs a replacement card';

describe('inbox transfer with a note', { timeout: 90_000 }, () => {
  let env: BrowserHub;
  let bank: TestPage;
  let alice: BrowserCustomer;
  let conversationId: string;
  const tabs: Record<'customer' | 'ada' | 'cal', { context: BrowserContext; page: Page }> = {} as never;
  const problems: string[] = [];

  beforeAll(async () => {
    env = await startBrowserHub();
    // The webhook URL never answers: nothing here needs the bank's app.
    bank = await env.hub.services.pages.createPage({
      name: 'Acme Bank',
      category: 'bank',
      description: 'Everyday banking, privately.',
      webhookUrl: 'http://127.0.0.1:9/hook',
      verifyToken: 'v',
    });
    await env.hub.services.inbox.createTeam({ pageId: bank.page_id, name: 'Fraud', autoAssign: false });
    await env.hub.services.inbox.createTeam({ pageId: bank.page_id, name: 'Cards', autoAssign: false });
    for (const [username, displayName, team] of [
      ['ada', 'Ada', 'Fraud'],
      ['cal', 'Cal', 'Cards'],
    ] as const)
      await env.hub.services.agents.create({
        pageId: bank.page_id,
        username,
        displayName,
        team,
        password: 'agent password 1',
      });
    alice = await signUpCustomer(env, 'alice');
    conversationId = await openConversation(env, alice, bank.page_id);
    const said = await env.hub.app.inject({
      method: 'POST',
      url: `/api/conversations/${conversationId}/messages`,
      headers: { cookie: alice.cookie },
      payload: { text: 'Someone used my card' },
    });
    expect(said.statusCode).toBe(201);
    const { psid } = await env.hub.ctx.storage.db
      .selectFrom('conversations')
      .select('psid')
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();
    const passed = await fetch(`${env.url}/v25.0/me/pass_thread_control?access_token=${bank.page_access_token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        recipient: { id: psid },
        target_app_id: PAGE_INBOX_APP_ID,
        metadata: JSON.stringify({ team: 'Fraud', reason: 'card misuse' }),
      }),
    });
    expect(passed.status).toBe(200);
    for (const role of ['customer', 'ada', 'cal'] as const) {
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
  });

  it('Ada takes the conversation and transfers it to the Cards team with a note, by keyboard', async () => {
    const page = tabs.ada.page;
    await logInAgent(env, page, 'ada');
    await page.getByRole('link', { name: /Someone used my card/ }).click();
    await page.getByRole('button', { name: 'Take' }).click();
    await page.getByText('Taken by you').waitFor();

    const summary = page.locator('summary', { hasText: /^Transfer$/ });
    await summary.focus();
    await page.keyboard.press('Enter');
    const select = page.getByLabel('Transfer to');
    await expect.poll(() => select.locator('option', { hasText: 'Cards team' }).count()).toBe(1);
    // The agents show their status and load; Ada is not offered herself.
    await expect
      .poll(() => select.locator('option', { hasText: /^Cal \(Cards\) · offline · 0\/\d+ open$/ }).count())
      .toBe(1);
    expect(await select.locator('option', { hasText: /^Ada/ }).count()).toBe(0);
    await select.focus();
    await select.selectOption({ label: 'Cards team' });
    await page.getByLabel(/Note for the next agent/).fill(NOTE);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Transfer…' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Transfer to the Cards team?' }).waitFor();
    await shot(page, 'transfer-01-confirm');
    await page.getByRole('button', { name: 'Confirm transfer' }).press('Enter');

    // The pane shows the new team, nobody assigned, and the note among the internal notes.
    await page.getByText(/Not taken yet/).waitFor();
    const profile = page.getByRole('definition').filter({ hasText: 'Cards' });
    await profile.waitFor();
    await page.getByText(/^Internal notes \(1\)/).click();
    await page.getByRole('list', { name: 'Internal notes' }).getByText(NOTE).waitFor();
    await shot(page, 'transfer-02-after');
    const row = await env.hub.ctx.storage.db
      .selectFrom('inbox_threads as t')
      .innerJoin('inbox_teams as tm', 'tm.id', 't.team_id')
      .select(['t.agent_id', 'tm.name'])
      .where('t.conversation_id', '=', conversationId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ agent_id: null, name: 'Cards' });
  });

  it('Cal of the Cards team finds it in his queue and reads the note', async () => {
    const page = tabs.cal.page;
    await logInAgent(env, page, 'cal');
    // The preview's last line is the system line "Ada … joined": nobody's, not the bot's.
    const row = page.getByRole('link', { name: /Cards · Ada from the Fraud team joined/ });
    expect(await row.textContent()).not.toContain('Bot:');
    // The status select is whole, inside the header (it was clipped to "ffline").
    const status = await page.getByLabel('Your status').boundingBox();
    const header = await page.getByRole('navigation', { name: 'Queue' }).locator('.pane-title').boundingBox();
    expect(status !== null && header !== null).toBe(true);
    expect(status!.x).toBeGreaterThanOrEqual(header!.x);
    expect(status!.x + status!.width).toBeLessThanOrEqual(header!.x + header!.width);
    expect(
      await page.getByLabel('Your status').evaluate((s: HTMLSelectElement) => s.scrollWidth <= s.clientWidth + 1),
    ).toBe(true);
    await row.click();
    await page.getByText('Someone used my card').first().waitFor();
    await page.getByText(/^Internal notes \(1\)/).click();
    const note = page.getByRole('list', { name: 'Internal notes' }).getByRole('listitem');
    await note.getByText(NOTE).waitFor();
    expect(await note.textContent()).toContain('Ada');
    await shot(page, 'transfer-03-cal');
  });

  it('alice never sees the note', async () => {
    const page = tabs.customer.page;
    await page.goto(`${env.url}/c/${encodeURIComponent(conversationId)}`);
    await page.locator('li.msg', { hasText: 'Someone used my card' }).waitFor();
    expect(await page.locator('body').textContent()).not.toContain('stolen');
    const res = await env.hub.app.inject({
      method: 'GET',
      url: `/api/conversations/${conversationId}/messages`,
      headers: { cookie: alice.cookie },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('stolen');
    expect(problems).toEqual([]);
  });
});

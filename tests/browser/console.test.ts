/**
 * The business console in a real Chromium against a real hub: the owner signs in, creates
 * a page, sets a webhook on a local receiver (the handshake's outcome shown, a wrong token
 * refused), sends a test event and reads it in the delivery log; a customer's message is
 * delivered; the receiver goes down and the retries appear; it comes back, the retry is
 * delivered and an entry is redelivered; the owner creates a labelled token (shown once)
 * and invites a viewer, who joins by the link and cannot reveal the app secret.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shot, startBrowserHub, type BrowserHub } from './harness.js';

const PASSWORD = 'owner password 1';

describe('business console', { timeout: 90_000 }, () => {
  let env: BrowserHub;
  let owner: Page;
  const problems: string[] = [];
  const receiver = { url: '', posts: [] as string[], down: false, server: undefined as http.Server | undefined };

  beforeAll(async () => {
    env = await startBrowserHub({ WEBHOOK_RETRY_BASE_MS: '300', WEBHOOK_RETRY_CAP_MS: '600' });
    receiver.server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.method === 'GET') {
        const ok = url.searchParams.get('hub.verify_token') === 'verify-me';
        return void res.writeHead(ok ? 200 : 403).end(ok ? url.searchParams.get('hub.challenge') : 'Forbidden');
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (receiver.down) return void res.writeHead(503).end('down for maintenance');
        receiver.posts.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200).end('EVENT_RECEIVED');
      });
    });
    await new Promise<void>((r) => receiver.server?.listen(0, '127.0.0.1', r));
    receiver.url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/hook`;
    await env.hub.services.console.members.createOrganisation(
      { name: 'Sandbox Bank', username: 'bank-owner', password: PASSWORD },
      'operator',
    );
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
    owner = await context.newPage();
    owner.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    owner.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text()))
        problems.push(`csp: ${msg.text()}`);
    });
  });

  afterAll(async () => {
    await env?.close();
    await new Promise<void>((r) => (receiver.server === undefined ? r() : receiver.server.close(() => r())));
  });

  const log = () => owner.getByTestId('delivery-log').locator('tbody tr');
  const customerSays = async (pageId: string, text: string) => {
    const username = `cust${Math.random().toString(36).slice(2, 8)}`;
    const signup = await env.hub.app.inject({
      method: 'POST',
      url: '/api/signup',
      payload: { username, password: 'customer password' },
    });
    const cookie = `confide_session=${signup.cookies.find((c) => c.name === 'confide_session')?.value}`;
    const conv = (
      await env.hub.app.inject({
        method: 'POST',
        url: '/api/conversations',
        headers: { cookie },
        payload: { page_id: pageId },
      })
    ).json();
    const sent = await env.hub.app.inject({
      method: 'POST',
      url: `/api/conversations/${conv.id}/messages`,
      headers: { cookie },
      payload: { text },
    });
    expect(sent.statusCode).toBe(201);
  };
  let pageId = '';
  let explorerToken = '';

  it('the owner signs in and creates a page; its first token is shown once', async () => {
    await owner.goto(`${env.url}/console`);
    await owner.getByLabel('Username').fill('bank-owner');
    await owner.getByLabel('Password').fill(PASSWORD);
    await owner.getByRole('button', { name: 'Sign in' }).click();
    await owner.getByText('bank-owner · owner').waitFor();
    await owner.getByRole('button', { name: 'New page' }).click();
    await owner.getByLabel('Name').fill('Sandbox Retail');
    await owner.getByRole('button', { name: 'Create page' }).click();
    await owner.getByRole('heading', { name: 'Sandbox Retail' }).waitFor();
    const token = await owner.getByTestId('once-value').first().textContent();
    expect(token).toMatch(/^EAAC/);
    pageId = (
      await env.hub.ctx.storage.db
        .selectFrom('pages')
        .select('id')
        .where('name', '=', 'Sandbox Retail')
        .executeTakeFirstOrThrow()
    ).id;
  });

  it('sets the webhook after the handshake and reads a test event in the delivery log', async () => {
    await owner.getByLabel('Callback URL').fill(receiver.url);
    await owner.getByLabel('Verify token').fill('wrong');
    await owner.getByRole('button', { name: 'Verify and save' }).click();
    await expect.poll(() => owner.getByTestId('hook-outcome').textContent()).toMatch(/HTTP 403/);
    await owner.getByLabel('Verify token').fill('verify-me');
    await owner.getByRole('button', { name: 'Verify and save' }).click();
    await expect.poll(() => owner.getByTestId('hook-outcome').textContent()).toMatch(/Handshake passed/);
    await owner.getByRole('button', { name: 'Send test event' }).click();
    await expect.poll(() => owner.getByTestId('hook-outcome').textContent()).toMatch(/Test event delivered: HTTP 200/);
    await expect.poll(() => log().first().textContent()).toMatch(/testOK 200/);
    expect(receiver.posts).toHaveLength(1);
  });

  it("shows a customer's event delivered, then retries while the receiver is down, then the recovery and a redelivery", async () => {
    await customerSays(pageId, 'hello bank');
    await expect.poll(() => log().first().textContent(), { timeout: 10_000 }).toMatch(/1 eventOK 200/);
    await shot(owner, 'console-delivered');
    receiver.down = true;
    await customerSays(pageId, 'anyone there?');
    await expect
      .poll(async () => (await log().allTextContents()).filter((t) => t.includes('HTTP 503')).length, {
        timeout: 15_000,
      })
      .toBeGreaterThanOrEqual(2);
    await expect.poll(() => owner.locator('.console-hook-state').textContent()).toMatch(/failing since .* next retry/);
    await shot(owner, 'console-retrying');
    receiver.down = false;
    await expect.poll(() => log().first().textContent(), { timeout: 15_000 }).toMatch(/1 eventOK 200/);
    await expect.poll(() => owner.locator('.console-hook-state').textContent()).not.toMatch(/failing since/);
    const before = receiver.posts.length;
    await log()
      .filter({ hasText: 'OK 200' })
      .filter({ hasText: '1 event' })
      .last()
      .getByRole('button', { name: 'Redeliver' })
      .click();
    await expect.poll(() => owner.getByTestId('hook-outcome').textContent()).toMatch(/1 event\(s\) queued again/);
    await expect.poll(() => receiver.posts.length, { timeout: 10_000 }).toBe(before + 1);
    expect(receiver.posts.at(-1)).toContain('hello bank');
  });

  it('creates a labelled token, shown once and listed without it', async () => {
    await owner.getByLabel('Label').fill('Explorer');
    await owner.getByRole('button', { name: 'Create token' }).click();
    const shown = owner.locator('.console-once').filter({ hasText: 'New token' }).getByTestId('once-value');
    const token = (await shown.textContent()) ?? '';
    expect(token).toMatch(/^EAAC/);
    const rows = owner.locator('.console-table').first().locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    expect((await rows.allTextContents()).join(' ')).not.toContain(token);
    explorerToken = token;
  });

  it('sends a message to a customer with the API explorer and the new token', async () => {
    // The customer's PSID, as the bank reads it from the messages webhook its receiver got.
    const psid = JSON.parse(receiver.posts.find((p) => p.includes('hello bank')) ?? '{}').entry[0].messaging[0].sender
      .id as string;
    await owner.getByRole('button', { name: 'API explorer' }).click();
    await owner.getByLabel('Endpoint').selectOption('send');
    await owner.getByLabel('Page access token').fill(explorerToken);
    await owner.getByLabel('Recipient PSID').fill(psid);
    await owner.getByLabel('Text', { exact: true }).fill('Hello from the console');
    const curl = (await owner.getByTestId('explorer-curl').textContent()) ?? '';
    expect(curl).toContain(`curl -X POST '${env.url}/v25.0/me/messages'`);
    expect(curl).toContain('"text":"Hello from the console"');
    expect(curl).not.toContain(explorerToken);
    await owner.getByRole('button', { name: 'Send request' }).click();
    await expect.poll(() => owner.getByTestId('explorer-status').textContent()).toBe('HTTP 200');
    const answer = JSON.parse((await owner.getByTestId('explorer-answer').textContent()) ?? '{}');
    expect(answer).toMatchObject({ recipient_id: psid, message_id: expect.any(String) });
    const stored = await env.hub.ctx.storage.db
      .selectFrom('messages')
      .select('mid')
      .where('mid', '=', answer.message_id)
      .execute();
    expect(stored).toHaveLength(1);
    // A wrong token gets the Graph error, shown as it came.
    await owner.getByLabel('Page access token').fill('EAACnot-a-real-token-at-all-000000');
    await owner.getByRole('button', { name: 'Send request' }).click();
    await expect.poll(() => owner.getByTestId('explorer-answer').textContent()).toContain('OAuthException');
    // Back to the page for the next steps.
    await owner.getByRole('button', { name: 'Sandbox Retail' }).click();
    await expect.poll(() => owner.getByTestId('page-metrics').textContent()).toMatch(/^1 sent .* webhook p50 \d+ ms/);
  });

  it('declares a category with the text customers read and shows the counts', async () => {
    await owner.getByLabel('Declare').selectOption('fraud_alerts');
    await owner.getByLabel('Text customers read').fill('An alert when a payment looks unusual.');
    await owner.getByRole('button', { name: 'Save', exact: true }).click();
    await owner.getByRole('cell', { name: 'An alert when a payment looks unusual.' }).waitFor();
    expect(await owner.getByTestId('consent-totals').textContent()).toBe(
      '0 granted · 0 revoked · 0 expired · 0 sends refused',
    );
  });

  it('edits the Messenger Profile with a live preview; a javascript: link is refused', async () => {
    await owner.getByLabel('Greeting').fill('Hi {{user_first_name}}, <b>welcome</b>');
    await owner.getByLabel('Ice breakers (one question a line)').fill('What is my balance?');
    await owner
      .getByLabel('Menu (Title | PAYLOAD or Title | https://…)')
      .fill('Balance | BALANCE\nHelp | javascript:alert(1)');
    const preview = owner.getByTestId('profile-preview');
    await expect.poll(() => preview.textContent()).toContain('Hi Alice, <b>welcome</b>');
    expect(await preview.locator('b').count()).toBe(0);
    await owner.getByRole('button', { name: 'Save profile' }).click();
    await expect.poll(() => owner.getByTestId('profile-outcome').textContent()).toMatch(/.+/);
    expect(await owner.getByTestId('profile-outcome').getAttribute('class')).toBe('form-error');
    expect(
      await env.hub.ctx.storage.db
        .selectFrom('messenger_profile')
        .select('field')
        .where('page_id', '=', pageId)
        .execute(),
    ).toEqual([]);
    await owner.getByLabel('Greeting').fill('Hi {{user_first_name}}, welcome');
    await owner
      .getByLabel('Menu (Title | PAYLOAD or Title | https://…)')
      .fill('Balance | BALANCE\nHelp | https://bank.example/help');
    await owner.getByRole('button', { name: 'Save profile' }).click();
    await expect.poll(() => owner.getByTestId('profile-outcome').textContent()).toBe('Profile saved.');
    expect((await preview.textContent()) ?? '').toContain('Help ↗');
  });

  it('invites a viewer who joins by the link and cannot reveal the app secret', async () => {
    await owner.getByRole('button', { name: 'Members' }).click();
    await owner.getByLabel('Invite a').selectOption('viewer');
    await owner.getByRole('button', { name: 'Create invite link' }).click();
    const link = (await owner.getByTestId('invite-link').textContent()) ?? '';
    expect(link).toContain('/console#invite=');
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const viewer = await context.newPage();
    viewer.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    await viewer.goto(link);
    await viewer.getByRole('heading', { name: 'Join your organisation' }).waitFor();
    await viewer.getByLabel('Username').fill('bank-viewer');
    await viewer.getByLabel('Password').fill(PASSWORD);
    await viewer.getByRole('button', { name: 'Join' }).click();
    await viewer.getByText('bank-viewer · viewer').waitFor();
    expect(viewer.url()).not.toContain('invite');
    await viewer.getByRole('heading', { name: 'Sandbox Retail' }).waitFor();
    await viewer.getByLabel('Your password (required to reveal or rotate)').fill(PASSWORD);
    await viewer.getByRole('button', { name: 'Reveal' }).click();
    await viewer.getByText('Your role cannot see or change the app secret.').waitFor();
    expect(await viewer.getByRole('button', { name: 'Verify and save' }).count()).toBe(0);
    // The link was used: opening it again does not let anyone else join.
    const again = await env.hub.app.inject({
      method: 'POST',
      url: '/console/api/invites/accept',
      payload: { code: decodeURIComponent(link.split('#invite=')[1] ?? ''), username: 'intruder', password: PASSWORD },
    });
    expect(again.statusCode).toBe(400);
    await context.close();
    expect(problems).toEqual([]);
  });
});

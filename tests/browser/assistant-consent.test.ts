/**
 * Connecting an assistant in a real browser: the customer, logged in to the web app,
 * opens the assistant's authorization URL, chooses on the hub's consent screen (no
 * script, strict CSP whose form-action allows the redirect to the assistant's loopback
 * callback), and the assistant receives its code; then the privacy center lists the
 * assistant and removing it there makes its next MCP call answer 401.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shot, startBrowserHub, type BrowserHub } from './harness.js';

const PASSWORD = 'correct horse battery';

describe('connecting an assistant in the browser', { timeout: 60_000 }, () => {
  let env: BrowserHub;
  let callback: Server;
  let redirect = '';
  const codes: string[] = [];

  beforeAll(async () => {
    env = await startBrowserHub();
    callback = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const code = url.searchParams.get('code');
      if (code !== null) codes.push(code);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('Connected. You can close this tab.');
    });
    await new Promise<void>((r) => callback.listen(0, '127.0.0.1', r));
    redirect = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
  });
  afterAll(async () => {
    callback?.close();
    await env?.close();
  });

  it('consent screen → code at the loopback callback → tokens; removal in the privacy center → 401 on the next call', async () => {
    const { hub } = env;
    const username = `dana${Date.now().toString(36)}`;
    const signup = await hub.app.inject({
      method: 'POST',
      url: '/api/signup',
      payload: { username, password: PASSWORD },
    });
    const cookie = `confide_session=${signup.cookies.find((c) => c.name === 'confide_session')?.value}`;
    const bank = await hub.services.pages.createPage({
      name: 'Harbour Bank',
      category: 'bank',
      description: 'A bank',
      privacyPolicyUrl: null,
      webhookUrl: null,
      verifyToken: null,
    });
    const conversationId = (
      await hub.app.inject({
        method: 'POST',
        url: '/api/conversations',
        headers: { cookie },
        payload: { page_id: bank.page_id },
      })
    ).json().id as string;
    const clientId = (
      await hub.app.inject({
        method: 'POST',
        url: '/oauth/register',
        payload: { redirect_uris: [redirect], client_name: 'Pocket Assistant' },
      })
    ).json().client_id;
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');

    const context = await env.browser.newContext();
    const page = await context.newPage();
    await page.goto(env.url);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Find a bank or business' }).waitFor();

    const query = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirect,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      scope: 'read act',
      state: 'st-1',
    });
    await page.goto(`${env.url}/oauth/authorize?${query}`);
    await page.getByRole('heading', { name: 'Connect Pocket Assistant' }).waitFor();
    await page.getByLabel('Harbour Bank', { exact: true }).check();
    await page.getByLabel('Balance updates', { exact: true }).check();
    await page.getByLabel('Fraud alerts', { exact: true }).check();
    await page.getByRole('checkbox', { name: 'Let Pocket Assistant act for me' }).check();
    await shot(page, 'assistant-01-consent');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((u) => u.href.startsWith(redirect));
    expect(new URL(page.url()).searchParams.get('state')).toBe('st-1');
    expect(codes).toHaveLength(1);

    const token = await hub.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: clientId,
        code: codes[0] ?? '',
        redirect_uri: redirect,
        code_verifier: verifier,
      }).toString(),
    });
    expect(token.json()).toMatchObject({ token_type: 'Bearer', scope: 'read act' });
    const call = () =>
      hub.app.inject({
        method: 'POST',
        url: '/mcp',
        headers: {
          authorization: `Bearer ${token.json().access_token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        payload: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_businesses', arguments: {} } },
      });
    expect((await call()).json().result.structuredContent.result).toMatchObject([{ name: 'Harbour Bank' }]);

    // What the assistant asks in the customer's name shows in their chat, marked as the assistant's.
    const asked = await hub.app.inject({
      method: 'POST',
      url: '/mcp',
      headers: {
        authorization: `Bearer ${token.json().access_token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      payload: {
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: {
          name: 'ask_business',
          arguments: { business: bank.page_id, question: 'When is my card payment due?', wait_seconds: 0 },
        },
      },
    });
    expect(asked.json().result.structuredContent.result).toMatchObject({ status: 'pending' });
    await page.goto(`${env.url}/?conversation=${conversationId}`);
    await page.getByRole('log').getByText('When is my card payment due?').waitFor();
    await page.getByText('Sent by your assistant').waitFor();
    await shot(page, 'assistant-02-chat');

    // The privacy center lists the assistant; Remove stops it.
    await page.goto(`${env.url}/privacy`);
    await page.getByRole('heading', { name: 'Your assistants' }).waitFor();
    await page.getByRole('heading', { name: 'Pocket Assistant' }).waitFor();
    await shot(page, 'assistant-03-privacy-center');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Remove' }).click();
    await page.getByText('Removed', { exact: true }).waitFor();
    const refused = await call();
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['www-authenticate']).toContain('error="invalid_token"');
    await context.close();
  });
});

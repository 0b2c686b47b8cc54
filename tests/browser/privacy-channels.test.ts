/**
 * The privacy center's delivery channels: a phone number is added and verified with the code
 * the (fake) carrier texted, and can be removed.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeCarrier } from '../../apps/server/src/features/sms/fake-carrier.js';
import { startBrowserHub, type BrowserHub } from './harness.js';

describe('privacy center: text messages', { timeout: 60_000 }, () => {
  let env: BrowserHub;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    env = await startBrowserHub();
    const signup = await env.hub.app.inject({
      method: 'POST',
      url: '/api/signup',
      payload: { username: `tex${Date.now().toString(36)}`, password: 'correct horse battery' },
    });
    const session = signup.cookies.find((c) => c.name === 'confide_session')!;
    context = await env.browser.newContext();
    await context.addCookies([{ name: session.name, value: session.value, url: env.url }]);
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    await env?.close();
  });

  it('adds a phone number, verifies it with the texted code, and removes it', async () => {
    await page.goto(`${env.url}/privacy`);
    const section = page.getByRole('region', { name: 'Text messages' });
    await section.getByLabel('Phone number').fill('+44 7700 900123');
    await section.getByRole('button', { name: 'Text me a code' }).click();
    await section.getByText('not verified yet').waitFor();
    const carrier = env.hub.services.sms!.carrier as FakeCarrier;
    const code = /code is (\d{6})/.exec(carrier.sentTo('+447700900123').at(-1)!.body)![1]!;
    await section.getByLabel('Code from the text').fill(code);
    await section.getByRole('button', { name: 'Verify' }).click();
    await section.getByText('+44•••••••123 · verified').waitFor();
    await section.getByRole('button', { name: 'Remove number' }).click();
    await section.getByRole('button', { name: 'Text me a code' }).waitFor();
    expect(await section.getByText('verified').count()).toBe(0);
  });
});

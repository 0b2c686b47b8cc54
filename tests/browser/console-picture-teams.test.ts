/**
 * The page picture and inbox teams in the console, in a real Chromium: the owner uploads a PNG
 * (shown at once), an SVG is refused with a clear message; the owner creates a team and puts an
 * agent in it with a capacity; a customer sees the picture in the chat list and the conversation
 * header, loaded from the hub under the app's CSP.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { png } from '../../apps/server/test/png.js';
import { shot, startBrowserHub, type BrowserHub } from './harness.js';

const PASSWORD = 'owner password 1';

describe('console: page picture and inbox teams', { timeout: 90_000 }, () => {
  let env: BrowserHub;
  let owner: Page;
  let pageId = '';
  const problems: string[] = [];

  beforeAll(async () => {
    env = await startBrowserHub();
    await env.hub.services.console.members.createOrganisation(
      { name: 'Picture Bank', username: 'pic-owner', password: PASSWORD },
      'operator',
    );
    owner = await (await env.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    owner.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  });
  afterAll(async () => {
    await env?.close();
  });

  it('the owner uploads the page picture; an SVG is refused', async () => {
    await owner.goto(`${env.url}/console`);
    await owner.getByLabel('Username').fill('pic-owner');
    await owner.getByLabel('Password').fill(PASSWORD);
    await owner.getByRole('button', { name: 'Sign in' }).click();
    await owner.getByRole('button', { name: 'New page' }).click();
    await owner.getByLabel('Name').fill('Picture Bank');
    await owner.getByRole('button', { name: 'Create page' }).click();
    await owner.getByRole('heading', { name: 'Picture Bank' }).waitFor();
    pageId = (
      await env.hub.ctx.storage.db
        .selectFrom('pages')
        .select('id')
        .where('name', '=', 'Picture Bank')
        .executeTakeFirstOrThrow()
    ).id;
    const input = owner.getByLabel(/Upload a picture/);
    await input.setInputFiles({ name: 'logo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg/>') });
    await owner.getByRole('alert').filter({ hasText: 'PNG, JPEG or WebP' }).waitFor();
    await input.setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: png(64, 64, 0x40) });
    await owner.getByText('Customers see this picture.').waitFor();
    const shown = owner.locator('.console-picture img.avatar-picture');
    await expect.poll(() => shown.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(64);
    await shot(owner, 'console-picture');
  });

  it('creates a team and puts an agent in it with a capacity', async () => {
    await env.hub.services.agents.create({
      pageId,
      username: 'dana.agent',
      password: 'agent password 1',
      displayName: 'Dana',
    });
    await owner.reload();
    await owner.getByLabel('New team').fill('Fraud');
    await owner.getByRole('button', { name: 'Create team' }).click();
    await owner.getByLabel('Name of team Fraud').waitFor();
    await owner.getByLabel('Team of Dana').selectOption({ label: 'Fraud' });
    const capacity = owner.getByLabel('Capacity of Dana');
    await capacity.fill('7');
    await capacity.blur();
    await expect
      .poll(async () => {
        const row = await env.hub.ctx.storage.db
          .selectFrom('agents as a')
          .innerJoin('inbox_teams as t', 't.id', 'a.team_id')
          .select(['t.name', 'a.capacity'])
          .where('a.username', '=', 'dana.agent')
          .executeTakeFirst();
        return row === undefined ? null : { team: row.name, capacity: Number(row.capacity) };
      })
      .toEqual({ team: 'Fraud', capacity: 7 });
    await owner.getByText('1 agent').waitFor();
  });

  it('a customer sees the picture in the chat list and the conversation header', async () => {
    const signup = await env.hub.app.inject({
      method: 'POST',
      url: '/api/signup',
      payload: { username: 'pic-customer', password: 'customer password' },
    });
    const session = signup.cookies.find((c) => c.name === 'confide_session')!.value;
    await env.hub.app.inject({
      method: 'POST',
      url: '/api/conversations',
      headers: { cookie: `confide_session=${session}` },
      payload: { page_id: pageId },
    });
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addCookies([{ name: 'confide_session', value: session, url: env.url }]);
    const customer = await context.newPage();
    customer.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    await customer.goto(env.url);
    const inList = customer.locator('.conversation img.avatar-picture');
    await expect.poll(() => inList.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(64);
    expect(await inList.getAttribute('src')).toMatch(new RegExp(`^/api/page-pictures/${pageId}\\?v=`));
    await customer.locator('.conversation').first().click();
    const header = customer.locator('.thread-header img.avatar-picture');
    await expect.poll(() => header.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(64);
    await shot(customer, 'messenger-page-picture');
    expect(problems).toEqual([]);
  });
});

/**
 * Profile sharing in a real Chromium: the customer fills in a last name and this device's
 * language and time zone in the privacy center, then allows the Sandbox Bank to see the last
 * name only; the bank's `GET /{psid}` then returns the last name and nothing else it was not
 * allowed; turning it off takes it away again. An uploaded, shared picture reaches the bank
 * through the hub's signed URL.
 */
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shot } from './harness.js';
import { startStoryWorld, type StoryWorld } from './story-world.js';

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

describe('profile sharing in the privacy center', { timeout: 90_000 }, () => {
  let w: StoryWorld;
  let context: BrowserContext;
  const problems: string[] = [];

  beforeAll(async () => {
    w = await startStoryWorld();
  });
  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await w?.close();
  });

  it('a last name shared with one business reaches its GET /{psid}; unshared fields never do', async () => {
    context = await w.browser.newContext({
      viewport: { width: 1280, height: 800 },
      locale: 'de-DE',
      timezoneId: 'Europe/Berlin',
    });
    const page = await context.newPage();
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    await page.goto(w.hubUrl);
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Username').fill('petra');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('button', { name: 'Find a bank or business' }).click();
    await page.getByLabel('Search banks and businesses').fill('sandbox bank');
    await page.getByRole('button', { name: /Sandbox Bank/ }).click();
    await page.getByRole('heading', { name: 'Sandbox Bank', level: 2 }).waitFor();

    const conv = await w.hub.ctx.storage.db
      .selectFrom('conversations as c')
      .innerJoin('customers as u', 'u.id', 'c.customer_id')
      .select('c.psid')
      .where('u.username', '=', 'petra')
      .where('c.page_id', '=', w.bankPage.pageId)
      .executeTakeFirstOrThrow();
    const bankSees = async () => {
      const res = await fetch(
        `${w.hubUrl}/v25.0/${conv.psid}?fields=first_name,last_name,locale,timezone&access_token=${encodeURIComponent(w.bankPage.pageToken)}`,
      );
      return (await res.json()) as Record<string, unknown>;
    };
    expect(await bankSees()).toEqual({ first_name: 'petra', id: conv.psid });

    await page.goto(`${w.hubUrl}/privacy`);
    await page.getByRole('heading', { name: 'Your profile' }).waitFor();
    await page.getByRole('textbox', { name: 'Last name' }).fill('Schmidt');
    await page.getByRole('button', { name: 'Save', exact: true }).last().click();
    await page.getByText('Profile saved.').waitFor();
    await page.getByRole('button', { name: 'Use this device’s language and time zone' }).click();
    await page.getByText('Language and time zone saved.').waitFor();
    await page.getByText('de_DE').waitFor();
    // Filled in, but not shared yet: the bank still sees the first name only.
    expect(await bankSees()).toEqual({ first_name: 'petra', id: conv.psid });

    const sharing = page.getByRole('group', { name: 'Profile Sandbox Bank may see besides your first name' });
    await sharing.getByRole('switch', { name: 'Last name' }).check();
    await page.getByText('Sandbox Bank may now see your last name.').waitFor();
    await shot(page, 'profile-sharing-01-privacy-center');
    expect(await bankSees()).toEqual({ first_name: 'petra', last_name: 'Schmidt', id: conv.psid });

    await sharing.getByRole('switch', { name: 'Last name' }).uncheck();
    await page.getByText('Sandbox Bank no longer sees your last name.').waitFor();
    expect(await bankSees()).toEqual({ first_name: 'petra', id: conv.psid });

    // A picture: uploaded, shown, shared; the bank fetches it from the hub's signed URL.
    await page
      .getByLabel(/Profile picture \(PNG/)
      .setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: PNG });
    await page.getByText('Picture saved.').waitFor();
    await page.getByRole('img', { name: 'Your profile picture' }).waitFor();
    await sharing.getByRole('switch', { name: 'Profile picture' }).check();
    await page.getByText('Sandbox Bank may now see your profile picture.').waitFor();
    const withPicture = await fetch(
      `${w.hubUrl}/v25.0/${conv.psid}?fields=profile_pic&access_token=${encodeURIComponent(w.bankPage.pageToken)}`,
    );
    const { profile_pic: url } = (await withPicture.json()) as { profile_pic: string };
    expect(url.startsWith(`${w.hubUrl}/api/profile-pictures/${conv.psid}?`)).toBe(true);
    const picture = await fetch(url);
    expect(picture.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await picture.arrayBuffer()).equals(PNG)).toBe(true);
    expect(problems).toEqual([]);
  });
});

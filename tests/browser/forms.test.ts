/**
 * The customer's forms speak to people: an empty field is named under that field (and
 * marked invalid), a validation report from the hub never shows as raw schema text, a
 * password-only confirmation is not called a "wrong username", and deleting the account
 * ends on the sign-in screen with a word that it happened.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, shot, signUpCustomer, startBrowserHub, type BrowserHub } from './harness.js';

describe('customer forms', { timeout: 60_000 }, () => {
  let env: BrowserHub;
  let context: BrowserContext;
  let page: Page;
  let username = '';
  const password = PASSWORD;

  beforeAll(async () => {
    env = await startBrowserHub();
    username = (await signUpCustomer(env, 'carol')).username;
    context = await env.browser.newContext();
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    await env?.close();
  });

  const field = (name: 'Username' | 'Password') => page.getByLabel(name, { exact: true });
  const alert = () => page.getByRole('alert');

  it('names an empty field under that field', async () => {
    await page.goto(env.url);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => alert().textContent()).toBe('Enter your username.');
    expect(await field('Username').getAttribute('aria-invalid')).toBe('true');
    expect(await field('Password').getAttribute('aria-invalid')).toBeNull();

    await field('Username').fill(username);
    expect(await alert().count()).toBe(0);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => alert().textContent()).toBe('Enter your password.');
    expect(await field('Password').getAttribute('aria-invalid')).toBe('true');
    await shot(page, 'forms-01-empty-password');
  });

  it('says a wrong password in words, and a too-short sign-up username under its field', async () => {
    await field('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => alert().textContent()).toBe('Wrong username or password.');

    await page.getByRole('button', { name: 'Create an account' }).click();
    await field('Username').fill('ab');
    await field('Password').fill('long enough password');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect.poll(() => alert().textContent()).toMatch(/^Usernames are 3–32 letters/);
    expect(await field('Username').getAttribute('aria-invalid')).toBe('true');
  });

  it('confirms deletion with the password, in words, and says afterwards that the account is gone', async () => {
    await page.getByRole('button', { name: 'Log in', exact: true }).click(); // back to log-in mode
    await field('Username').fill(username);
    await field('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await field('Username').waitFor({ state: 'detached' }); // signed in: the form is gone
    await page.goto(`${env.url}/privacy`);
    await page.getByRole('button', { name: 'Delete my account…' }).click();
    await page.getByLabel('Confirm with your password').fill('not the password');
    await page.getByRole('button', { name: 'Delete my account permanently' }).click();
    await expect.poll(() => alert().textContent()).toBe('That password is not right.');

    await page.getByLabel('Confirm with your password').fill(password);
    await page.getByRole('button', { name: 'Delete my account permanently' }).click();
    await page.getByRole('status').filter({ hasText: 'Your account was deleted.' }).waitFor();
    expect(await page.getByRole('button', { name: 'Log in' }).count()).toBe(1);
    await shot(page, 'forms-02-account-deleted');
    expect(new URL(page.url()).pathname).toBe('/');
    await page.reload();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    expect(await page.getByText('Your account was deleted.').count()).toBe(0);
    // The old session is gone at the hub too.
    expect((await page.request.get(`${env.url}/api/me`)).status()).toBe(401);
  });
});

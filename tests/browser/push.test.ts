/**
 * Web Push in the browser: a push (delivered to the service worker through the DevTools
 * protocol, as a push service would) shows a notification that says nothing about the
 * account, and clicking it opens the conversation it names, where the content is loaded
 * over the authenticated API.
 */
import type { BrowserContext, CDPSession, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushPayload } from '../../apps/server/src/features/push/payload.js';
import { sendAsBusiness, startBrowserHub, type BrowserHub } from './harness.js';

describe('push notifications', { timeout: 60_000 }, () => {
  let env: BrowserHub;
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let worker: Worker;
  let registrationId = '';
  let conversationId = '';
  let mid = '';

  beforeAll(async () => {
    env = await startBrowserHub();
    const bank = await env.hub.services.pages.createPage({ name: 'Push Bank', category: 'bank', description: 'Alerts you.' });
    const signup = await env.hub.app.inject({
      method: 'POST',
      url: '/api/signup',
      payload: { username: `pia${Date.now().toString(36)}`, password: 'correct horse battery' },
    });
    const session = signup.cookies.find((c) => c.name === 'confide_session')!;
    const customerId = signup.json().customer.id as string;
    const opened = await env.hub.app.inject({
      method: 'POST',
      url: '/api/conversations',
      headers: { cookie: `${session.name}=${session.value}` },
      payload: { page_id: bank.page_id },
    });
    conversationId = opened.json().id as string;
    mid = await sendAsBusiness(env.hub, customerId, conversationId, { text: 'Card 4821 used for €1,249.00 at ELECTROWORLD. Was this you?' });
    context = await env.browser.newContext();
    await context.addCookies([{ name: session.name, value: session.value, url: env.url }]);
    await context.grantPermissions(['notifications'], { origin: env.url });
    page = await context.newPage();
    cdp = await context.newCDPSession(page);
    const registered = new Promise<string>((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const r = registrations.find((x) => x.scopeURL === `${env.url}/` && !x.isDeleted);
        if (r !== undefined) resolve(r.registrationId);
      });
    });
    await cdp.send('ServiceWorker.enable');
    await page.goto(env.url);
    await page.getByRole('heading', { name: 'Chats' }).waitFor();
    await page.evaluate(() => navigator.serviceWorker.ready);
    registrationId = await registered;
    worker = context.serviceWorkers().find((w) => w.url().endsWith('/sw.js')) ?? (await context.waitForEvent('serviceworker'));
  });

  afterAll(async () => {
    await context?.close();
    await env?.close();
  });

  const notifications = () =>
    worker.evaluate(async () =>
      (await (self as unknown as ServiceWorkerGlobalScope).registration.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data as unknown })),
    );

  it('shows a push as a notification without account data, one per case', async () => {
    const payload = pushPayload({ pageName: 'Push Bank', conversationId, mid, category: 'fraud_alerts' });
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: env.url, registrationId, data: JSON.stringify(payload) });
    await expect.poll(notifications, { timeout: 10_000 }).toHaveLength(1);
    // A newer push of the same case replaces the older notification.
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: env.url, registrationId, data: JSON.stringify(payload) });
    await expect.poll(async () => (await notifications()).length).toBe(1);
    const [shown] = await notifications();
    expect(shown).toEqual({
      title: 'Security alert from Push Bank',
      body: 'Open Confide to read it.',
      tag: payload.tag,
      data: { url: `/c/${conversationId}`, ref: mid },
    });
    expect(JSON.stringify(shown)).not.toMatch(/4821|1,249|ELECTROWORLD/);
  });

  it('opens the conversation the notification names when it is clicked', async () => {
    await page.goto(env.url);
    await page.getByRole('heading', { name: 'Chats' }).waitFor();
    await worker.evaluate(async () => {
      const scope = self as unknown as ServiceWorkerGlobalScope;
      const [notification] = await scope.registration.getNotifications();
      scope.dispatchEvent(new NotificationEvent('notificationclick', { notification: notification! }));
    });
    await page.waitForURL(`${env.url}/c/${conversationId}`);
    await page.getByRole('log').getByText('Was this you?', { exact: false }).waitFor();
  });

  it('never opens another origin from a push', async () => {
    const evil = { v: 1, title: 'Hi', body: 'x', url: 'https://evil.example/phish', ref: 'm_x', tag: 'evil', category: 'fraud_alerts' };
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: env.url, registrationId, data: JSON.stringify(evil) });
    await expect.poll(async () => (await notifications()).find((n) => n.tag === 'evil')?.data).toEqual({ url: 'https://evil.example/phish', ref: 'm_x' });
    await worker.evaluate(async () => {
      const scope = self as unknown as ServiceWorkerGlobalScope;
      const notification = (await scope.registration.getNotifications()).find((n) => n.tag === 'evil');
      scope.dispatchEvent(new NotificationEvent('notificationclick', { notification: notification! }));
    });
    await page.waitForURL(`${env.url}/`);
  });
});

/**
 * Customer attachments in a real Chromium: the customer pastes a screenshot, picks a PDF
 * and drops a photo on the conversation; each shows its upload, then the sent message. The
 * bank's webhook (a real HTTP endpoint the hub delivers to) receives Messenger `attachments`
 * events whose URLs return the exact bytes with the page's token, and nothing without it or
 * with another page's token. A file of the wrong kind is refused in words before any upload.
 * The composer's emoji picker inserts at the caret and works by keyboard.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './axe.js';
import { shot, startBrowserHub, type BrowserHub } from './harness.js';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

interface WebhookAttachment {
  type: string;
  payload: { url: string };
}

describe('customer attachments', { timeout: 90_000 }, () => {
  let env: BrowserHub;
  let bank: { page_id: string; page_access_token: string };
  let other: { page_access_token: string };
  let receiver: http.Server;
  const received: WebhookAttachment[] = [];
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    // The bank's webhook endpoint: answers the handshake and records attachment events.
    receiver = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.method === 'GET') {
        res.end(url.searchParams.get('hub.challenge') ?? '');
        return;
      }
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const event = JSON.parse(body) as {
          entry?: Array<{ messaging?: Array<{ message?: { attachments?: WebhookAttachment[] } }> }>;
        };
        for (const entry of event.entry ?? [])
          for (const m of entry.messaging ?? []) received.push(...(m.message?.attachments ?? []));
        res.end('EVENT_RECEIVED');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    env = await startBrowserHub({ WEBHOOK_ALLOW_PRIVATE: 'true' });
    bank = await env.hub.services.pages.createPage({
      name: 'Acme Bank',
      category: 'bank',
      description: 'Everyday banking.',
      webhookUrl: hookUrl,
      verifyToken: 'v',
    });
    other = await env.hub.services.pages.createPage({
      name: 'Other Shop',
      category: 'merchant',
      description: 'Not the bank.',
    });
    context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text()))
        problems.push(`csp: ${msg.text()}`);
    });
  });

  afterAll(async () => {
    await env?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('sends a pasted photo, a picked PDF and a dropped photo; the bank fetches each with its token, nobody else can', async () => {
    const signup = await env.hub.app.inject({
      method: 'POST',
      url: '/api/signup',
      payload: { username: `ana${Date.now().toString(36)}`, password: 'correct horse battery' },
    });
    const session = signup.cookies.find((c) => c.name === 'confide_session')!;
    const conversation = (
      await env.hub.app.inject({
        method: 'POST',
        url: '/api/conversations',
        headers: { cookie: `${session.name}=${session.value}` },
        payload: { page_id: bank.page_id },
      })
    ).json() as { id: string };
    await context.addCookies([{ name: session.name, value: session.value, url: env.url }]);
    await page.goto(`${env.url}/c/${conversation.id}`);
    const composer = page.getByLabel('Message Acme Bank');
    await composer.waitFor();

    // 1. A screenshot pasted into the composer.
    await composer.focus();
    await page.evaluate(
      (bytes) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(bytes)], 'screenshot.png', { type: 'image/png' }));
        document.activeElement?.dispatchEvent(
          new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }),
        );
      },
      [...PNG],
    );
    const log = page.getByRole('log');
    await log.getByRole('img', { name: 'Your photo screenshot.png' }).waitFor();

    // 2. A PDF from the picker (the paperclip opens it).
    await page.getByRole('button', { name: 'Attach a photo or PDF' }).waitFor();
    await page.setInputFiles('[data-testid="attach-input"]', {
      name: 'Receipt März.pdf',
      mimeType: 'application/pdf',
      buffer: PDF,
    });
    await log.locator('li.msg.mine .file-card', { hasText: 'Receipt März.pdf' }).waitFor();

    // 3. A photo dropped on the conversation.
    await page.evaluate(
      (bytes) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(bytes)], 'dropped.png', { type: 'image/png' }));
        const target = document.querySelector('.message-scroller')!;
        target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
        target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      },
      [...PNG],
    );
    await log.getByRole('img', { name: 'Your photo dropped.png' }).waitFor();
    await shot(page, 'attachments-01-sent-desktop');
    expect(await seriousViolations(page)).toEqual([]);

    // A file of another kind is refused in words, and nothing is uploaded.
    await page.setInputFiles('[data-testid="attach-input"]', {
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('hello'),
    });
    await page.getByText('“notes.txt” can’t be sent: only photos (JPEG, PNG, GIF, WebP) and PDF documents.').waitFor();
    expect(await log.locator('li.upload').count()).toBe(0);

    // The customer opens their own PDF.
    const own = await page.evaluate(async () => {
      const link = document.querySelector<HTMLAnchorElement>('li.msg.mine a.file-card')!;
      const res = await fetch(link.href);
      return { status: res.status, size: (await res.arrayBuffer()).byteLength };
    });
    expect(own).toEqual({ status: 200, size: PDF.length });

    // The bank's webhook got three attachments events, in order, with URLs on the hub.
    await expect.poll(() => received.length, { timeout: 20_000 }).toBe(3);
    expect(received.map((a) => a.type)).toEqual(['image', 'file', 'image']);
    const paths = received.map((a) => {
      expect(a.payload.url).toMatch(/\/platform\/attachments\/\d+$/);
      return new URL(a.payload.url).pathname;
    });
    const fetchFile = (path: string, headers: Record<string, string> = {}) => fetch(`${env.url}${path}`, { headers });
    const asBank = { authorization: `Bearer ${bank.page_access_token}` };
    const photo = await fetchFile(paths[0]!, asBank);
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await photo.arrayBuffer()).equals(PNG)).toBe(true);
    const pdf = await fetchFile(paths[1]!, asBank);
    expect(pdf.status).toBe(200);
    expect(Buffer.from(await pdf.arrayBuffer()).equals(PDF)).toBe(true);

    // Nobody else: no token, another page's token, the customer's own session cookie.
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    for (const headers of [{}, { authorization: `Bearer ${other.page_access_token}` }, { cookie }]) {
      const res = await fetchFile(paths[1]!, headers);
      expect(res.status).toBe(400);
      expect(Buffer.from(await res.arrayBuffer()).includes(Buffer.from('%PDF'))).toBe(false);
    }
    expect(problems).toEqual([]);
  });

  it('inserts an emoji from the picker at the caret, by keyboard, and sends it', async () => {
    const composer = page.getByLabel('Message Acme Bank');
    await composer.fill('Thanks ');
    await page.getByRole('button', { name: 'Insert emoji' }).click();
    const picker = page.getByRole('group', { name: 'Emoji' });
    await picker.waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    // Focus starts on the first emoji; the arrow moves to the next, Enter picks it.
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    expect(await picker.count()).toBe(0);
    expect(await composer.inputValue()).toBe('Thanks 😀');
    await page.getByRole('button', { name: 'Insert emoji' }).click();
    await page.keyboard.press('Escape');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Insert emoji');
    await composer.press('Enter');
    await page.getByRole('log').locator('li.msg.mine', { hasText: 'Thanks 😀' }).waitFor();
  });

  it('at 390×844 the attach button is a large target beside the composer', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const box = await page.getByRole('button', { name: 'Attach a photo or PDF' }).boundingBox();
    expect(box?.width).toBeGreaterThanOrEqual(44);
    expect(box?.height).toBeGreaterThanOrEqual(44);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await shot(page, 'attachments-02-mobile');
  });
});

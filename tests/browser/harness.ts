/**
 * Browser-test harness: a real hub on a temp SQLite data dir and a random port, Debian's
 * Chromium driven by playwright-core, and server-side helpers that act as the business
 * (messages, typing, receipts) exactly as the Send API would record them.
 */
import type { MessageBody } from '@confide/protocol';
import { createHub, loadConfig, type Hub } from '@confide/server';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { findConversationOfCustomer } from '../../apps/server/src/features/conversations/store.js';
import { appendMessage } from '../../apps/server/src/timeline/index.js';
import { appendFrame } from '../../apps/server/src/timeline/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

export interface BrowserHub {
  hub: Hub;
  url: string;
  browser: Browser;
  close(): Promise<void>;
}

/** Starts a hub serving the built web app and launches Chromium; `env` adds configuration (e.g. WEBHOOK_ALLOW_PRIVATE for a local webhook, INBOX_REOPEN_MINUTES). */
export async function startBrowserHub(env: Record<string, string> = {}): Promise<BrowserHub> {
  if (!existsSync(join(ROOT, 'apps/web/dist/index.html')))
    throw new Error('apps/web/dist is missing: run `npm run build` first (npm test does).');
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does).`);
  const dataDir = await mkdtemp(join(tmpdir(), 'confide-browser-'));
  const config = loadConfig(
    { NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, ...env },
    () => undefined,
  );
  const hub = await createHub(config);
  const url = await hub.listen();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    hub,
    url: url.replace('[::1]', '127.0.0.1'),
    browser,
    async close() {
      await browser.close();
      await hub.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The password every browser-test customer signs up with. */
export const PASSWORD = 'correct horse battery';

/** A customer signed up over the customer API, with the session the browser gets. */
export interface BrowserCustomer {
  id: string;
  username: string;
  session: { name: string; value: string };
  /** `name=value`, for customer API calls made beside the browser. */
  cookie: string;
}

/** Signs up a fresh customer (`prefix` and a base-36 timestamp) over the customer API. */
export async function signUpCustomer(env: BrowserHub, prefix: string): Promise<BrowserCustomer> {
  const username = `${prefix}${Date.now().toString(36)}`;
  const signup = await env.hub.app.inject({
    method: 'POST',
    url: '/api/signup',
    payload: { username, password: PASSWORD },
  });
  expect(signup.statusCode).toBe(201);
  const session = signup.cookies.find((c) => c.name === 'confide_session')!;
  const cookie = `${session.name}=${session.value}`;
  return { id: signup.json().customer.id as string, username, session, cookie };
}

/** Opens the customer's conversation with a page, as "start a chat" does; returns its id. */
export async function openConversation(env: BrowserHub, customer: BrowserCustomer, pageId: string): Promise<string> {
  const opened = await env.hub.app.inject({
    method: 'POST',
    url: '/api/conversations',
    headers: { cookie: customer.cookie },
    payload: { page_id: pageId },
  });
  return opened.json().id as string;
}

/** A browser context signed in as the customer. */
export async function customerContext(
  env: BrowserHub,
  customer: BrowserCustomer,
  options?: BrowserContextOptions,
): Promise<BrowserContext> {
  const context = await env.browser.newContext(options);
  await context.addCookies([{ name: customer.session.name, value: customer.session.value, url: env.url }]);
  return context;
}

/** A page created for a test, with its app and page token. */
export type TestPage = Awaited<ReturnType<Hub['services']['pages']['createPage']>>;

/** What {@link startChat} set up: the page, the customer, their conversation and a signed-in browser context. */
export interface Chat {
  page: TestPage;
  customer: BrowserCustomer;
  conversationId: string;
  context: BrowserContext;
}

/**
 * The usual start of a messenger test: a bank page, a fresh customer (`customer` is the name's
 * prefix) with a conversation open with it, and a browser context signed in as the customer.
 */
export async function startChat(
  env: BrowserHub,
  options: { page: { name: string; description: string }; customer: string; context?: BrowserContextOptions },
): Promise<Chat> {
  const page = await env.hub.services.pages.createPage({ ...options.page, category: 'bank' });
  const customer = await signUpCustomer(env, options.customer);
  const conversationId = await openConversation(env, customer, page.page_id);
  const context = await customerContext(env, customer, options.context);
  return { page, customer, conversationId, context };
}

/** Records a message from the business, as the Send API does; the customer's stream gets it live. */
export async function sendAsBusiness(
  hub: Hub,
  customerId: string,
  conversationId: string,
  body: MessageBody,
): Promise<string> {
  const message = await hub.ctx.storage.writes.run(async (tx) => {
    const conversation = await findConversationOfCustomer(tx.db, customerId, conversationId);
    if (conversation === undefined) throw new Error(`no conversation ${conversationId}`);
    return appendMessage(tx, hub.ctx.bus, { conversation, direction: 'out', body, now: hub.ctx.now() });
  });
  return message.mid;
}

/** The business read everything up to now (a `read` webhook from the bank, in real life). */
export async function businessReadAll(hub: Hub, customerId: string, conversationId: string): Promise<void> {
  const now = hub.ctx.now();
  await hub.ctx.storage.writes.run(async (tx) => {
    await tx.db
      .updateTable('conversations')
      .set({ page_delivered_wm: now, page_read_wm: now })
      .where('id', '=', conversationId)
      .execute();
    await appendFrame(
      tx,
      hub.ctx.bus,
      customerId,
      { type: 'receipt', conversation_id: conversationId, side: 'page', kind: 'read', watermark: now },
      now,
    );
  });
}

/** The business's typing indicator (ephemeral, never persisted). */
export function businessTyping(hub: Hub, customerId: string, conversationId: string, on: boolean): void {
  hub.ctx.bus.publish({
    name: 'customer.frame',
    customerId,
    frame: { type: 'typing', conversation_id: conversationId, on },
  });
}

/**
 * Installed before the app loads: tracks the page's WebSockets and can refuse new ones,
 * so a test can cut the stream and keep it down while it changes things server-side.
 */
export const WEBSOCKET_CONTROL = `(() => {
  const Native = window.WebSocket;
  const sockets = [];
  window.__ws = { blocked: false, sockets, opened: 0 };
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(window.__ws.blocked ? 'ws://127.0.0.1:9/' : url, protocols);
      if (!window.__ws.blocked) window.__ws.opened += 1;
      sockets.push(this);
    }
  };
})();`;

export async function dropStream(page: Page): Promise<void> {
  await page.evaluate(() => {
    const ws = (window as unknown as { __ws: { blocked: boolean; sockets: WebSocket[] } }).__ws;
    ws.blocked = true;
    for (const s of ws.sockets) s.close();
  });
}

export async function allowStream(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __ws: { blocked: boolean } }).__ws.blocked = false;
  });
}

/** document width never exceeds the viewport (no sideways scrolling). */
export const hasNoHorizontalOverflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** A bank's webhook endpoint on loopback that keeps every POST it receives (start the hub with WEBHOOK_ALLOW_PRIVATE). */
export interface WebhookReceiver {
  url: string;
  received: Array<{ body: string; headers: Record<string, string> }>;
  /** The first delivery whose body contains `text`, waiting up to 15 s for it. */
  delivery(text: string): Promise<{ body: string; headers: Record<string, string> } | undefined>;
  close(): void;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: WebhookReceiver['received'] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.method === 'POST') received.push({ body, headers: req.headers as Record<string, string> });
      res.end('ok');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    received,
    async delivery(text) {
      const deadline = Date.now() + 15_000;
      while (!received.some((r) => r.body.includes(text)) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      return received.find((r) => r.body.includes(text));
    },
    close: () => void server.close(),
  };
}

/** Signs an agent in at /inbox (every test agent's password is `agent password 1`). */
export async function logInAgent(env: BrowserHub, page: Page, username: string): Promise<void> {
  await page.goto(`${env.url}/inbox`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('agent password 1');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Queue' }).waitFor();
}

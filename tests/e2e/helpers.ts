/**
 * Cross-process helpers: a real hub (createHub, SQLite, listening on loopback) with the
 * sandbox bank listening beside it, and a cookie-carrying browser stand-in (fetch with
 * manual redirects) for the customer's side.
 */
import { createHub, loadConfig, type Hub } from '@confide/server';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadBankConfig } from '../../apps/sandbox-bank/src/bank/config.js';
import { createBank, type SandboxBank } from '../../apps/sandbox-bank/src/bank/server.js';
import {
  SANDBOX_BANK_PAGE,
  ensureHubCustomers,
  ensurePage,
  subscribeWebhook,
  type PageCredentials,
} from '../../apps/sandbox-bank/src/demo/provision.js';

/** A free TCP port on loopback (the hub needs its public URL before it listens). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface World {
  hub: Hub;
  hubUrl: string;
  bank: SandboxBank;
  bankUrl: string;
  page: PageCredentials;
  close(): Promise<void>;
}

/** Hub + sandbox bank on loopback, webhook subscribed, demo customers present; `hubEnv` adds hub variables. */
export async function startWorld(
  bankEnv: Record<string, string> = {},
  hubEnv: Record<string, string> = {},
): Promise<World> {
  const dataDir = mkdtempSync(join(tmpdir(), 'confide-e2e-'));
  const hubPort = await freePort();
  const hubUrl = `http://127.0.0.1:${hubPort}`;
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: process.env['E2E_HUB_LOG'] ?? 'silent',
      PORT: String(hubPort),
      PUBLIC_URL: hubUrl,
      DATA_DIR: dataDir,
      ...hubEnv,
    },
    () => undefined,
  );
  const hub = await createHub(config, { memory: true });
  await hub.listen();
  const page = await ensurePage(hub, SANDBOX_BANK_PAGE);
  await ensureHubCustomers(hub);

  const bankPort = await freePort();
  const verifyToken = randomBytes(12).toString('hex');
  const bankConfig = loadBankConfig([], {
    BANK_HUB_URL: hubUrl,
    BANK_PAGE_TOKEN: page.pageToken,
    BANK_APP_SECRET: page.appSecret,
    BANK_VERIFY_TOKEN: verifyToken,
    BANK_PORT: String(bankPort),
    BANK_SIM_RATE: '0',
    BANK_NOTIFY_TRANSACTIONS: 'false',
    ...bankEnv,
  });
  const bank = await createBank(bankConfig, { memory: true, log: pino({ level: 'silent' }) });
  const bankUrl = await bank.start();
  await subscribeWebhook(hub, page.pageId, `${bankUrl}/webhook`, verifyToken, ['approvals']);
  return {
    hub,
    hubUrl,
    bank,
    bankUrl,
    page,
    async close() {
      // Hub first: its webhook worker drains deliveries to the bank while the bank still answers.
      const t0 = Date.now();
      await hub.close();
      const t1 = Date.now();
      await bank.close();
      if (process.env['E2E_DEBUG']) process.stderr.write(`close: hub ${t1 - t0} ms, bank ${Date.now() - t1} ms\n`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A customer's browser: one session cookie, same-origin headers, no automatic redirects. */
export class Browser {
  readonly #hubUrl: string;
  #cookie = '';

  constructor(hubUrl: string) {
    this.#hubUrl = hubUrl;
  }

  async request(
    url: string,
    init: { method?: string; json?: unknown; form?: Record<string, string | string[]> } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = {};
    const sameHub = url.startsWith(this.#hubUrl);
    if (sameHub && this.#cookie) headers['cookie'] = this.#cookie;
    if (sameHub) headers['origin'] = this.#hubUrl;
    let body: string | undefined;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    } else if (init.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(init.form))
        for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
      body = params.toString();
      // A browser posting a bank form sends the bank's origin, not the hub's.
      if (!sameHub) headers['origin'] = new URL(url).origin;
    }
    const res = await fetch(url, {
      method: init.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      redirect: 'manual',
    });
    const setCookie = res.headers.getSetCookie().find((c) => c.length > 0);
    if (sameHub && setCookie !== undefined) this.#cookie = setCookie.split(';')[0] ?? '';
    return res;
  }

  async api<T>(path: string, init: { method?: string; json?: unknown } = {}): Promise<T> {
    const res = await this.request(`${this.#hubUrl}${path}`, init);
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} → ${res.status} ${await res.text()}`);
    return (res.status === 204 ? undefined : await res.json()) as T;
  }
}

/** Polls until `probe` returns a value (the hub and bank work asynchronously); fails after `ms`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The whole demo for the story test: a real hub serving the web app, the sandbox bank and
 * the sandbox shop, each listening on a loopback port chosen at runtime with its own temp
 * data dir, provisioned the way the demo launcher does it (pages, declarations, tokens,
 * webhooks) — but with no demo customers, because alice signs up herself. The bank runs
 * in this process so the test can drive its simulator deterministically.
 */
import { createHub, loadConfig, type Hub } from '@confide/server';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { chromium, type Browser } from 'playwright-core';
import { loadBankConfig } from '../../apps/sandbox-bank/src/bank/config.js';
import { createBank, type SandboxBank } from '../../apps/sandbox-bank/src/bank/server.js';
import {
  SANDBOX_BANK_PAGE,
  SANDBOX_SHOP_PAGE,
  ensurePage,
  subscribeWebhook,
  type PageCredentials,
} from '../../apps/sandbox-bank/src/demo/provision.js';
import { loadShopConfig } from '../../apps/sandbox-bank/src/shop/config.js';
import { createShop, type SandboxShop } from '../../apps/sandbox-bank/src/shop/server.js';
import { freePort } from '../e2e/helpers.js';
import { CHROMIUM, SCREENSHOTS } from './harness.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface StoryWorld {
  hub: Hub;
  hubUrl: string;
  bank: SandboxBank;
  /** Where browsers reach the bank: `localhost`, another site than the hub's 127.0.0.1, like a bank on its own domain. */
  bankUrl: string;
  bankPage: PageCredentials;
  shop: SandboxShop;
  shopUrl: string;
  browser: Browser;
  close(): Promise<void>;
}

/** Hub + bank + shop + Chromium. Set STORY_LOG=info to see the three servers' logs. */
export async function startStoryWorld(): Promise<StoryWorld> {
  if (!existsSync(join(ROOT, 'apps/web/dist/index.html')))
    throw new Error('apps/web/dist is missing: run `npm run build` first (npm test does).');
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does).`);
  const level = process.env['STORY_LOG'] ?? 'silent';
  const dataDir = await mkdtemp(join(tmpdir(), 'confide-story-'));
  const started: { browser?: Browser; hub?: Hub; bank?: SandboxBank; shop?: SandboxShop } = {};
  const close = async () => {
    // The hub before the sandboxes: its webhook worker drains deliveries while they still answer.
    const { browser, hub, bank, shop } = started;
    for (const c of [() => browser?.close(), () => hub?.close(), () => shop?.close(), () => bank?.close()])
      await Promise.resolve(c()).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const hubPort = await freePort();
    const hubUrl = `http://127.0.0.1:${hubPort}`;
    const config = loadConfig(
      {
        NODE_ENV: 'test',
        LOG_LEVEL: level,
        PORT: String(hubPort),
        HOST: '127.0.0.1',
        PUBLIC_URL: hubUrl,
        DATA_DIR: join(dataDir, 'hub'),
        // `SQLITE_WRITER_THREAD=true npx vitest run tests/browser/story.test.ts`: the story with the writer thread.
        ...(process.env['SQLITE_WRITER_THREAD'] ? { SQLITE_WRITER_THREAD: process.env['SQLITE_WRITER_THREAD'] } : {}),
      },
      () => undefined,
    );
    await mkdir(join(dataDir, 'hub'), { recursive: true });
    const hub = (started.hub = await createHub(config));
    await hub.listen();
    const bankPage = await ensurePage(hub, SANDBOX_BANK_PAGE);
    const shopPage = await ensurePage(hub, SANDBOX_SHOP_PAGE);

    const bankPort = await freePort();
    const bankVerify = randomBytes(12).toString('hex');
    const bank = await createBank(
      loadBankConfig([], {
        BANK_HUB_URL: hubUrl,
        BANK_PAGE_TOKEN: bankPage.pageToken,
        BANK_APP_SECRET: bankPage.appSecret,
        BANK_VERIFY_TOKEN: bankVerify,
        BANK_PORT: String(bankPort),
        BANK_PUBLIC_URL: `http://localhost:${bankPort}`,
        BANK_DATA_DIR: join(dataDir, 'bank'),
        // No background traffic and no timed booking: the test stages and books purchases itself.
        BANK_SIM_RATE: '0',
        BANK_BOOK_DELAY_MS: String(24 * 3_600_000),
        BANK_NOTIFY_TRANSACTIONS: 'false',
      }),
      { log: pino({ level, name: 'sandbox-bank' }) },
    );
    started.bank = bank;
    await bank.start();
    const bankUrl = `http://localhost:${bankPort}`;

    const shopPort = await freePort();
    const shopVerify = randomBytes(12).toString('hex');
    const shop = await createShop(
      loadShopConfig([], {
        SHOP_HUB_URL: hubUrl,
        SHOP_PAGE_TOKEN: shopPage.pageToken,
        SHOP_APP_SECRET: shopPage.appSecret,
        SHOP_VERIFY_TOKEN: shopVerify,
        SHOP_PORT: String(shopPort),
        SHOP_DATA_DIR: join(dataDir, 'shop'),
      }),
      { log: pino({ level, name: 'sandbox-shop' }) },
    );
    started.shop = shop;
    const shopUrl = await shop.start();

    await subscribeWebhook(hub, bankPage.pageId, `http://127.0.0.1:${bankPort}/webhook`, bankVerify);
    await subscribeWebhook(hub, shopPage.pageId, `${shopUrl}/webhook`, shopVerify);

    const browser = (started.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    }));
    await mkdir(SCREENSHOTS, { recursive: true });
    return { hub, hubUrl, bank, bankUrl, bankPage, shop, shopUrl, browser, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * Assembles the sandbox shop: storage, the SDK platform client, orders with delivery
 * steps, a chat bot that hands out one-time checkout codes, and the storefront.
 */
import { Bot, Platform, fastifyWebhook, retryLink } from '@confide/sdk';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { openSqlite } from '../common/db.js';
import { acceptForms } from '../common/html.js';
import { panGuardLink } from '../common/pan-guard-link.js';
import { createProactiveSender } from '../common/proactive.js';
import { gateOnTemplates } from '../common/template-gate.js';
import type { ShopConfig } from './config.js';
import { Orders, orderLine } from './orders.js';
import { shopRoutes } from './routes.js';
import { SHOP_MIGRATIONS, type ShopDatabase } from './schema.js';
import { SHOP_TEMPLATES } from './templates.js';

export interface ShopOptions {
  memory?: boolean;
  fetch?: typeof fetch;
  now?: () => number;
  log?: Logger;
}

export interface SandboxShop {
  readonly app: FastifyInstance;
  readonly orders: Orders;
  readonly db: Kysely<ShopDatabase>;
  start(): Promise<string>;
  close(): Promise<void>;
}

export async function createShop(config: ShopConfig, options: ShopOptions = {}): Promise<SandboxShop> {
  const log = options.log ?? pino({ level: config.LOG_LEVEL, name: 'sandbox-shop' });
  const now = options.now ?? Date.now;
  const storage = openSqlite<ShopDatabase>(
    options.memory ? ':memory:' : join(config.DATA_DIR, 'shop.sqlite'),
    SHOP_MIGRATIONS,
  );
  const db = storage.db;
  const platform = new Platform({
    baseUrl: config.HUB_URL,
    accessToken: config.PAGE_TOKEN,
    appSecret: config.APP_SECRET,
    fetch: options.fetch,
    links: [panGuardLink((path) => log.error({ path }, 'masked a card-number-like string')), retryLink({ retries: 2 })],
  });
  const sender = createProactiveSender({ platform, specs: SHOP_TEMPLATES, db, log, now });
  // A refused receipt: the hub's own consent card asks the customer (at most once a day; a refusal of the request is only logged).
  const askConsent = async (psid: string, categories: string[]) => {
    try {
      await platform.consent.request(psid, categories);
      return true;
    } catch (err) {
      log.info({ psid, err: err instanceof Error ? err.message : String(err) }, 'consent request not posted');
      return false;
    }
  };
  const orders = new Orders({ db, sender, now, stepMs: config.SHIP_STEP_MS, askConsent });
  const publicUrl = (config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`).replace(/\/+$/, '');

  const offerCode = async (psid: string) => {
    const code = await orders.issueCode(psid);
    await platform.messages.sendButtonTemplate(
      psid,
      `Welcome to Sandbox Shop! Your one-time checkout code is ${code} (valid 15 minutes).`,
      [{ type: 'web_url', url: `${publicUrl}/?code=${code}`, title: 'Open the shop' }],
    );
  };
  // The Bot skips redelivered messages and postbacks (dedupe is on by default), so a
  // retried webhook does not hand out a second checkout code.
  const bot = new Bot({ platform })
    .onMessage(async (event) => {
      const text = (event.message.text ?? '').toLowerCase();
      if (/\b(orders?|status|track|where)\b/.test(text)) {
        const recent = await orders.recent(event.sender.id);
        await platform.messages.sendText(
          event.sender.id,
          recent.length === 0
            ? 'No orders yet. Say "shop" for a checkout code.'
            : ['Your orders:', ...recent.map(orderLine)].join('\n'),
        );
        return;
      }
      await offerCode(event.sender.id);
    })
    .onPostback((event) => offerCode(event.sender.id));

  const app = Fastify({
    loggerInstance: log.child({ component: 'http' }, { level: 'warn' }),
  }) as unknown as FastifyInstance;
  acceptForms(app);
  await app.register(
    fastifyWebhook(bot, {
      appSecret: config.APP_SECRET,
      verifyToken: config.VERIFY_TOKEN,
      onError: (err) => log.error({ err }, 'webhook failed'),
    }),
    { prefix: '/webhook' },
  );
  await app.register(shopRoutes(orders));
  const ensureTemplates = gateOnTemplates(app, bot, sender.templates);

  let timer: NodeJS.Timeout | undefined;
  return {
    app,
    orders,
    db,
    async start() {
      const url = await app.listen({ port: config.PORT, host: config.HOST });
      await ensureTemplates();
      try {
        await platform.profile.setMessengerProfile({
          get_started: { payload: 'GET_STARTED' },
          greeting: [
            {
              locale: 'default',
              text: 'Sandbox Shop: say hi for a checkout code; receipts and shipping updates arrive here.',
            },
          ],
        });
      } catch (err) {
        log.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'could not set the messenger profile (continuing)',
        );
      }
      timer = setInterval(
        () => void orders.advance().catch((err: unknown) => log.error({ err }, 'delivery step failed')),
        Math.min(1_000, config.SHIP_STEP_MS),
      );
      timer.unref();
      return url;
    },
    async close() {
      if (timer !== undefined) clearInterval(timer);
      await app.close();
      await storage.close();
    },
  };
}

/**
 * Assembles the sandbox bank: storage (seeded), the SDK platform client, ledger, fraud
 * alerts, card processor, simulator, chat bot and the HTTP server (webhook, log-in page,
 * admin). Everything talks to the hub through `@confide/sdk` only.
 */
import { Platform, fastifyWebhook, retryLink } from '@confide/sdk';
import Fastify, { type FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { openSqlite } from '../common/db.js';
import { acceptForms } from '../common/html.js';
import { panGuardLink } from '../common/pan-guard-link.js';
import { createProactiveSender } from '../common/proactive.js';
import { gateOnTemplates } from '../common/template-gate.js';
import { adminRoutes } from './admin-routes.js';
import { createBankBot } from './bot/bank-bot.js';
import { CardProcessor } from './card-processor.js';
import type { BankConfig } from './config.js';
import { seedBank } from './fixtures.js';
import { FraudCases } from './fraud/cases.js';
import { StepUps, stepUpRoutes } from './fraud/step-up.js';
import { Ledger } from './ledger.js';
import { Links } from './linking/links.js';
import { linkingRoutes } from './linking/routes.js';
import { bankMessengerProfile } from './menu.js';
import { BANK_MIGRATIONS, type BankDatabase } from './schema.js';
import { SimulationDriver } from './simulator/driver.js';
import { BANK_TEMPLATES } from './templates.js';

/** Test and embedding hooks of {@link createBank}. */
export interface BankOptions {
  /** In-memory SQLite. */
  memory?: boolean;
  fetch?: typeof fetch;
  now?: () => number;
  log?: Logger;
  /** Skip the messenger_profile call at start (tests with a fake fetch still allow it). */
  skipProfile?: boolean;
}

export interface SandboxBank {
  readonly app: FastifyInstance;
  readonly platform: Platform;
  readonly ledger: Ledger;
  readonly links: Links;
  readonly cases: FraudCases;
  readonly processor: CardProcessor;
  readonly simulator: SimulationDriver;
  readonly db: Ledger['db'];
  /** Listens on PORT/HOST, sets the Messenger Profile, starts the simulator and sweeper. */
  start(): Promise<string>;
  /** Waits for work deferred past webhook acknowledgements (tests). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function createBank(config: BankConfig, options: BankOptions = {}): Promise<SandboxBank> {
  const log = options.log ?? pino({ level: config.LOG_LEVEL, name: 'sandbox-bank' });
  const now = options.now ?? Date.now;
  const storage = openSqlite<BankDatabase>(
    options.memory ? ':memory:' : join(config.DATA_DIR, 'bank.sqlite'),
    BANK_MIGRATIONS,
  );
  const db = storage.db;
  if (await seedBank(db, { seed: config.SEED, now: now() })) log.info('seeded demo customers alice and bob');

  const platform = new Platform({
    baseUrl: config.HUB_URL,
    accessToken: config.PAGE_TOKEN,
    appSecret: config.APP_SECRET,
    fetch: options.fetch,
    links: [
      panGuardLink((path) => log.error({ path }, 'masked a card-number-like string in an outgoing message')),
      retryLink({ retries: 2 }),
    ],
  });
  const ledger = new Ledger(db);
  const links = new Links(db);
  const sender = createProactiveSender({ platform, specs: BANK_TEMPLATES, db, log, now });
  const remindAfterMs = config.REMIND_AFTER_MS ?? Math.round(config.REPLY_TIMEOUT_MS / 2);
  const cases = new FraudCases({
    db,
    ledger,
    links,
    platform,
    sender,
    log,
    now,
    replyTimeoutMs: config.REPLY_TIMEOUT_MS,
    remindAfterMs,
    maxContacts: config.MAX_CONTACTS,
  });
  const processor = new CardProcessor({
    ledger,
    links,
    cases,
    sender,
    log,
    now,
    notifyTransactions: config.NOTIFY_TRANSACTIONS,
  });
  const simulator = new SimulationDriver(ledger, processor, {
    seed: config.SEED,
    ratePerMinute: config.SIM_RATE,
    fraudRate: config.FRAUD_RATE,
    bookDelayMs: config.BOOK_DELAY_MS,
    now,
    log,
  });

  const publicUrl = (config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`).replace(/\/+$/, '');
  const linkUrl = `${publicUrl}/link`;
  const deferred = new Set<Promise<unknown>>();
  const defer = (task: () => Promise<unknown>) => {
    const p = new Promise((resolve) => setImmediate(resolve))
      .then(task)
      .catch((err: unknown) => log.error({ err }, 'deferred task failed'))
      .finally(() => deferred.delete(p));
    deferred.add(p);
  };
  const stepUps = new StepUps({ db, ledger, cases, platform, log, now, publicUrl });
  const bot = createBankBot({ platform, ledger, links, cases, stepUps, log, now, linkUrl, defer });

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
  const redirectOrigins = (config.LINK_REDIRECT_ORIGINS ?? new URL(config.HUB_URL).origin)
    .split(',')
    .map((o) => o.trim());
  await app.register(
    linkingRoutes({
      platform,
      ledger,
      links,
      log,
      now,
      redirectOrigins,
      hint: 'Demo logins: alice / alice-bank-pass, bob / bob-bank-pass.',
    }),
  );
  await app.register(stepUpRoutes(stepUps));
  if (config.ADMIN_TOKEN !== undefined)
    await app.register(adminRoutes({ adminToken: config.ADMIN_TOKEN, simulator, cases, db }));
  const ensureTemplates = gateOnTemplates(app, bot, sender.templates);

  let sweeper: NodeJS.Timeout | undefined;
  return {
    app,
    platform,
    ledger,
    links,
    cases,
    processor,
    simulator,
    db,
    async start() {
      const url = await app.listen({ port: config.PORT, host: config.HOST });
      await ensureTemplates();
      if (!options.skipProfile) {
        try {
          await platform.profile.setMessengerProfile(bankMessengerProfile(linkUrl));
        } catch (err) {
          log.warn(
            { err: err instanceof Error ? err.message : String(err) },
            'could not set the persistent menu (continuing)',
          );
        }
      }
      await simulator.start();
      sweeper = setInterval(
        () => void cases.sweep().catch((err: unknown) => log.error({ err }, 'fraud case sweep failed')),
        Math.max(50, Math.min(1_000, Math.floor(Math.min(config.REPLY_TIMEOUT_MS, remindAfterMs) / 4))),
      );
      sweeper.unref();
      return url;
    },
    async idle() {
      while (deferred.size > 0) await Promise.all([...deferred]);
    },
    async close() {
      if (sweeper !== undefined) clearInterval(sweeper);
      simulator.stop();
      await app.close();
      await Promise.all([...deferred]);
      await storage.close();
    },
  };
}

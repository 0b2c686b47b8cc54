/**
 * Assembles a hub: configuration → storage (migrated) → bus → context → HTTP app, and
 * tears it down in reverse with a graceful drain.
 */
import { pino, type Logger } from 'pino';
import { buildApp, type AppOptions, type HubServices } from './app.js';
import type { Bus } from './bus/bus.js';
import { busFromConfig } from './bus/nats-bus.js';
import type { Config } from './config.js';
import type { HubContext } from './context.js';
import { SecretBox } from './crypto/secret-box.js';
import { SigningKeys } from './crypto/signing-keys.js';
import { createMetrics } from './metrics.js';
import { loggerOptions } from './logger.js';
import { runsRole } from './services/roles.js';
import { openStorage } from './storage/db.js';
import { combineServices, type StorageServicesOpener } from './storage/services.js';
import { timelineServices } from './timeline/consumers.js';
import { vaultServices } from './privacy/vault-services.js';
import { FsBlobStore, type BlobStore } from './storage/blob-store.js';
import { maskingLogOptions } from './privacy/log-masking.js';
import { egressPolicyFor, setEgressPolicy } from './privacy/egress-guard.js';
import { openWitness } from './privacy/audit-witness.js';
import path from 'node:path';
import { startWebhookWorker } from './features/webhooks/worker.js';
import { startSlaWorker } from './features/inbox/sla-worker.js';
import type { FastifyInstance } from 'fastify';
import type { AlexaTrust } from './features/alexa/routes.js';
import type { PasswordHasher } from './features/customers/passwords.js';
import { inboxFollowsMessages } from './features/inbox/publish.js';
import { pushFollowsUpdates } from './features/push/schedule.js';
import { smsFollowsAlerts } from './features/sms/schedule.js';
import { LeasedRateLimiter } from './features/send-api/leased-rate-limit.js';
import { TokenBucketLimiter, type PageRateLimiter } from './features/send-api/rate-limit.js';
import { SqlRateWindowStore } from './features/send-api/rate-window-store.js';

export interface HubOptions {
  /** In-memory SQLite (tests). */
  memory?: boolean;
  /** Clock override (tests). */
  now?: () => number;
  /** Logger override. */
  log?: Logger;
  /** Bus override (tests, scale-out). */
  bus?: Bus;
  /** Password hashing override (tests count verifications). */
  passwords?: PasswordHasher;
  /** Alexa request verification: certificate fetcher and trusted roots (tests use a local CA). */
  alexa?: AlexaTrust;
}

export interface Hub {
  readonly ctx: HubContext;
  readonly app: FastifyInstance;
  readonly services: HubServices;
  /** Where attachment files are stored (ciphertext only). */
  readonly blobs: BlobStore;
  /** Listens on config HOST:PORT; returns the bound URL. */
  listen(): Promise<string>;
  /** Stops accepting work, drains in-flight requests and writes, closes storage. */
  close(): Promise<void>;
}

/**
 * What write jobs receive beside the transaction: the vault, and the timeline with its durable
 * consumers, which run in the transaction of each message (timeline/consumers.ts): push and SMS
 * schedule rows, and the inbox's live signal after commit.
 */
function storageServices(config: Config, log: Logger): StorageServicesOpener {
  // Not fatal (keys still commit, on the main thread), but no longer beside it: worth a line.
  const onKeyThreadStopped = (err: Error) =>
    log.warn({ err }, "the keystore's insert thread stopped: key inserts commit on the main thread");
  return combineServices(
    vaultServices({ kek: config.kek, previousKeks: config.previousKeks, onKeyThreadStopped }),
    timelineServices([pushFollowsUpdates, smsFollowsAlerts, inboxFollowsMessages]),
  );
}

/** SQLite is one process: the Send API counts each page's calls in memory. PostgreSQL may be shared by several hubs: leased windows. */
function sendRateLimiter(ctx: HubContext): PageRateLimiter {
  const perSecond = ctx.config.SEND_RATE_LIMIT_PER_PAGE;
  if (ctx.storage.dialect === 'postgres')
    return new LeasedRateLimiter(new SqlRateWindowStore(ctx.storage.db), perSecond);
  return new TokenBucketLimiter(perSecond);
}

/** What the app is given beside the context: the stores, the test overrides, and the ports picked here. */
function appOptions(ctx: HubContext, options: HubOptions, stores: Pick<AppOptions, 'blobs' | 'witness'>): AppOptions {
  return {
    ...stores,
    sendRateLimiter: sendRateLimiter(ctx),
    ...(options.passwords === undefined ? {} : { passwords: options.passwords }),
    ...(options.alexa === undefined ? {} : { alexa: options.alexa }),
  };
}

/**
 * The hub's logger (secrets redacted, personal data masked), writing to stdout unless told
 * otherwise: the CLI's administrative commands log to stderr (fd 2) so `--json` output stays JSON.
 */
export function hubLogger(level: string, fd: 1 | 2 = 1): Logger {
  const options = maskingLogOptions(loggerOptions(level));
  return fd === 1 ? pino(options) : pino(options, pino.destination({ fd, sync: true }));
}

/**
 * The SQLite writer thread stopped without being asked to: every write fails from now on, so
 * the process ends (non-zero) rather than run on half alive; a supervisor restarts it, and
 * what was acknowledged is on disk.
 */
function writerDied(log: Logger, err: Error): never {
  log.fatal({ err }, 'the SQLite writer thread died: the hub stops');
  process.exit(70);
}

export async function createHub(config: Config, options: HubOptions = {}): Promise<Hub> {
  setEgressPolicy(egressPolicyFor(config));
  const log = options.log ?? hubLogger(config.LOG_LEVEL);
  const storage = await openStorage({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    memory: options.memory ?? false,
    poolSize: config.DATABASE_POOL_SIZE,
    queryTimeoutMs: config.DATABASE_QUERY_TIMEOUT_MS,
    writeConcurrency: config.DATABASE_WRITE_CONCURRENCY,
    writerThread: config.SQLITE_WRITER_THREAD,
    onFatal: (err) => writerDied(log, err),
    services: storageServices(config, log),
  });
  const metrics = createMetrics();
  const bus = options.bus ?? busFromConfig(config, { log, registry: metrics.registry });
  const base = {
    config,
    storage,
    bus,
    log,
    secrets: new SecretBox(config.serviceKey),
    metrics,
    now: options.now ?? Date.now,
  };
  // The signing keys work on the context itself (one object), so a clock replaced in a test applies to them.
  const ctx: HubContext = Object.assign(base, { signingKeys: new SigningKeys(base) });
  // Tests and in-memory hubs keep uploads in a temporary folder, never in the working tree.
  // Attachment files are sealed before they reach the store (features/attachments).
  const blobs =
    options.memory || config.NODE_ENV === 'test'
      ? await FsBlobStore.temporary()
      : new FsBlobStore(path.join(config.DATA_DIR, 'blobs'));
  // An in-memory hub keeps its audit witness in memory too (its database goes with it).
  const witness = openWitness(config.AUDIT_WITNESS, config.DATA_DIR, options.memory ?? false);
  const { app, services, setDraining } = await buildApp(ctx, appOptions(ctx, options, { blobs, witness }));
  const workers: Array<{ stop(): Promise<void> }> = [];
  if (runsRole(config, 'worker')) workers.push(startWebhookWorker(ctx, services.pages), startSlaWorker(ctx));
  let closed = false;

  return {
    ctx,
    app,
    services,
    blobs,
    async listen() {
      return app.listen({ port: config.PORT, host: config.HOST });
    },
    async close() {
      if (closed) return;
      closed = true;
      setDraining(true);
      await app.close();
      for (const w of workers) await w.stop();
      await services.deliveries.stop();
      await services.privacy.stop();
      await bus.close();
      await storage.close();
      await blobs.dispose();
    },
  };
}

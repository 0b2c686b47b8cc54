/**
 * The hub's configuration: environment variables validated once at boot into a frozen
 * object that is passed explicitly. Every variable is documented in `.env.example`
 * (a test keeps the two in sync).
 */
import { z } from 'zod';
import { loadKek, parsePreviousKeks, type Kek } from './crypto/kek.js';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
/** Variables that are off when unset or empty. */
const blank = (v: string | undefined) => (v === '' ? undefined : v);
const optionalText = z.string().optional().transform(blank);
const optionalMatching = (re: RegExp, message: string) => z.string().regex(re, message).optional().transform(blank);
const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional());

/** Documented development default for the service key; refused in production. */
export const DEV_SERVICE_KEY = 'ZGV2ZWxvcG1lbnQta2V5LWRvLW5vdC11c2UtcHJvZCE';

export const ConfigSchema = z.object({
  /** `development`, `test` or `production`. Production refuses development defaults. */
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** HTTP port of the hub. */
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Address to listen on. */
  HOST: z.string().default('127.0.0.1'),
  /** Public base URL of the hub (used in redirect URIs and links). Defaults to http://localhost:PORT. */
  PUBLIC_URL: z.string().url().optional(),
  /** Folder for the embedded SQLite database and the blob store. */
  DATA_DIR: z.string().default('./data'),
  /** `postgres://…` to use PostgreSQL instead of the embedded SQLite database. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  /** Maximum PostgreSQL pool size. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** PostgreSQL: a query with no answer for this long fails (503) instead of hanging on a silent link. */
  DATABASE_QUERY_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(30_000),
  /**
   * PostgreSQL: group-commit write transactions in flight at once, each on its own pooled
   * connection (capped at DATABASE_POOL_SIZE - 1, so reads always find one); storage/db.ts
   * has the default. Two in flight never hold writes of the same customer (the Send API's,
   * the customer's messages and receipts: storage/pending-jobs.ts), so they do not deadlock
   * on its counter; another write that loses a deadlock is run again.
   * SQLite always has one writer.
   */
  DATABASE_WRITE_CONCURRENCY: z.preprocess(blank, z.coerce.number().int().min(1).max(64).optional()),
  /** SQLite file: write queue on a writer thread, reads on the main thread (storage/sqlite-writer/). Off: bench/README.md. */
  SQLITE_WRITER_THREAD: z.preprocess(blank, bool.default(false)),
  /** NATS server URL for the bus; without it the in-process bus is used. */
  NATS_URL: z.string().optional(),
  /** First subject token(s) of bus messages on NATS, so several hubs can share one NATS server. */
  NATS_SUBJECT_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be NATS subject tokens without wildcards')
    .default('confide'),
  /** Which roles this process runs: any of api, realtime, worker. */
  SERVICES: z
    .string()
    .default('api,realtime,worker')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(['api', 'realtime', 'worker'])).min(1)),
  /**
   * Base64url 32-byte key that encrypts page app secrets and wraps data keys.
   * Generate one with `openssl rand -base64 32`. Required in production.
   */
  SERVICE_KEY: z.string().optional(),
  /**
   * Key-encryption key (base64 32 bytes) that wraps every customer data key (docs/privacy.md).
   * Generate one with `openssl rand -base64 32`. Required in production (or KEK_FILE).
   */
  KEK: z.string().optional(),
  /** Path of a file holding the KEK (base64), instead of KEK. */
  KEK_FILE: z.string().optional(),
  /** Previous KEKs (comma-separated base64) still accepted for unwrapping during a rotation (`confide keys rotate`). */
  KEK_PREVIOUS: z.string().optional(),
  /**
   * Where the audit log's witness goes: every signed checkpoint head is appended there,
   * outside the database (docs/privacy.md §3). `file:/path` (default: DATA_DIR/audit-witness.jsonl).
   */
  AUDIT_WITNESS: optionalMatching(/^(file:.+)?$/, 'must be file:/path/to/witness.jsonl'),
  /** Days a message is kept before the retention sweep deletes it (0 = until erased). */
  RETENTION_MESSAGE_DAYS: z.coerce.number().int().min(0).default(0),
  /** Days a delivered webhook payload is kept for redelivery before the retention sweep deletes it (0 = forever). */
  RETENTION_WEBHOOK_DAYS: z.coerce.number().int().min(0).default(0),
  /** Log level for pino. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Largest accepted request body, in bytes (Send API, customer API). */
  BODY_LIMIT: z.coerce.number().int().min(1024).default(1_048_576),
  /**
   * Send API calls allowed per page per second; over it answers 613. SQLite: a token bucket
   * (burst of one second). PostgreSQL: per clock second, shared by every process.
   */
  SEND_RATE_LIMIT_PER_PAGE: z.coerce.number().int().min(1).default(300),
  /**
   * The message tags Meta retired on 2026-04-27 (ACCOUNT_UPDATE, POST_PURCHASE_UPDATE,
   * CONFIRMED_EVENT_UPDATE). `legacy`: still accepted, behind the customer's consent, while
   * bots move to utility templates. `current`: answered `(#100) Invalid parameter`, as Meta does.
   * HUMAN_AGENT keeps its 7-day window either way.
   */
  MESSENGER_TAGS: z.enum(['legacy', 'current']).default('legacy'),
  /**
   * What the customer is told when an agent resolves a conversation, sent under the agent's
   * persona before the thread goes back to the assistant (empty: nothing is sent).
   */
  INBOX_CLOSING_MESSAGE: z
    .string()
    .max(2000)
    .default('Thanks for chatting with us. If anything else comes up, just write here.'),
  /**
   * Minutes after a resolve during which a new customer message reopens the conversation in the
   * inbox with the agent who resolved it, instead of going to the page's assistant (0: never,
   * the default, for pages whose assistant answers after a hand-back).
   */
  INBOX_REOPEN_MINUTES: z.coerce.number().int().min(0).max(10_080).default(0), // at most 7 days
  /** Ask a 1–5 satisfaction question after a resolve (features/inbox/csat.ts); off by default. */
  INBOX_CSAT: bool.default(false),
  /** Session lifetime, in hours. */
  SESSION_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(24 * 14),
  /**
   * How often, in milliseconds, each open WebSocket's session is re-checked against the
   * database (besides the immediate close a logout or password change announces on the bus).
   */
  SESSION_RECHECK_MS: z.coerce.number().int().min(50).default(30_000),
  /**
   * Failed password attempts allowed per account and per IP in 15 minutes: logins, and the
   * current password of a password change or an account deletion (features/customers/login-guard.ts).
   */
  LOGIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(10),
  /** Trust X-Forwarded-For from a proxy in front of the hub. */
  TRUST_PROXY: bool.default(false),
  /** Let anyone create an organisation at /console (self-service sign-up); otherwise only `confide org create`. */
  CONSOLE_SIGNUP: bool.default(false),
  /**
   * Bearer token `GET /metrics` requires (`Authorization: Bearer …`). Without it, /metrics is
   * open outside production (local tools, the benchmark) and not served at all in production.
   */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters (e.g. `openssl rand -hex 24`)').optional(),
  /** Serve the OpenAPI document and its viewer at /docs. Default: on outside production, off in production. */
  API_DOCS: bool.optional(),
  /** The Alexa custom skill allowed to call `POST /alexa` (its application id); unset: the endpoint is off. */
  ALEXA_SKILL_ID: z
    .string()
    .regex(/^amzn1\.ask\.skill\.[\w.-]{1,100}$/, 'must be an Alexa skill id (amzn1.ask.skill.…)')
    .optional(),
  /** Graceful-shutdown drain timeout, in milliseconds. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  /** Webhook POST (and verification GET) timeout, in milliseconds. Messenger allows 5 s. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  /**
   * Lease of a webhook batch being delivered, in milliseconds, renewed every third of it while
   * the POST is in flight. A killed worker's batch is taken over about one lease later.
   */
  WEBHOOK_LEASE_MS: z.coerce.number().int().min(300).default(10_000),
  /** First webhook retry delay, in milliseconds; doubles per attempt, with full jitter. */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(0).default(1_000),
  /** Longest delay between two webhook retries, in milliseconds (default 5 minutes). */
  WEBHOOK_RETRY_CAP_MS: z.coerce.number().int().min(0).default(300_000),
  /** Continuous webhook failure after which an alert is logged, in milliseconds (default 15 minutes). */
  WEBHOOK_ALERT_AFTER_MS: z.coerce.number().int().min(0).default(900_000),
  /** Continuous webhook failure after which the app's subscription is disabled, in milliseconds (default 1 hour). */
  WEBHOOK_DISABLE_AFTER_MS: z.coerce.number().int().min(0).default(3_600_000),
  /** Allow webhook URLs on loopback, link-local and private networks in production (SSRF guard off). */
  WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  /** Most events in one webhook POST. */
  WEBHOOK_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  /** How often the webhook worker looks for due retries, in milliseconds. */
  WEBHOOK_POLL_MS: z.coerce.number().int().min(10).default(1_000),
  /** Most apps the webhook worker delivers to at the same time. */
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).default(64),
  /** Most batches in flight per app (batches in flight at once never share a conversation). */
  WEBHOOK_BATCHES_PER_APP: z.coerce.number().int().min(1).max(64).default(4),
  /**
   * How long messages reaching customers' devices are gathered before their `message_deliveries`
   * webhooks are written (one per conversation per period), in milliseconds.
   */
  DELIVERY_RECEIPT_FLUSH_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  /** Days before a consent expires that the hub reminds the customer in the chat (0 = no reminder). */
  CONSENT_REMINDER_DAYS: z.coerce.number().int().min(0).max(60).default(14),
  /** Web Push VAPID public key (base64url, `confide vapid generate`). Generated into DATA_DIR in development; required in production. */
  VAPID_PUBLIC_KEY: optionalText,
  /** Web Push VAPID private key (base64url), with VAPID_PUBLIC_KEY. */
  VAPID_PRIVATE_KEY: optionalText,
  /** Contact for push services, `mailto:` or `https:` (default: PUBLIC_URL when https). */
  VAPID_SUBJECT: optionalMatching(/^((mailto:|https:\/\/).+)?$/, 'must be a mailto: or https:// URL'),
  /**
   * How long a business message may stay unread while the customer has the app open before
   * their devices are pushed anyway, in milliseconds. With no open socket the push goes at once.
   */
  PUSH_UNREAD_AFTER_MS: z.coerce.number().int().min(0).default(60_000),
  /** How often the push worker looks for due pushes, in milliseconds. */
  PUSH_POLL_MS: z.coerce.number().int().min(10).default(1_000),
  /**
   * SMS fallback carrier: `twilio` (a Twilio-compatible HTTP API), `fake` (an in-process carrier
   * with a page at /dev/sms listing the texts sent and letting you reply) or `none`.
   * Default: `fake` outside production, `none` in production.
   */
  SMS_PROVIDER: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['none', 'fake', 'twilio']).optional()),
  /** The one sender number of every text (E.164), e.g. +15005550006. */
  SMS_FROM: optionalMatching(/^(\+[1-9]\d{6,14})?$/, 'must be an E.164 number like +15005550006'),
  /** Twilio-compatible API base URL. */
  TWILIO_API_URL: z.string().url().default('https://api.twilio.com'),
  /** Twilio account SID (SMS_PROVIDER=twilio). */
  TWILIO_ACCOUNT_SID: optionalText,
  /** Twilio auth token: authenticates sends and signs the webhooks (X-Twilio-Signature). */
  TWILIO_AUTH_TOKEN: optionalText,
  /** How long a fraud alert may stay unanswered before it is texted (SMS fallback), in milliseconds. */
  SMS_AFTER_MS: z.coerce.number().int().min(60_000).default(300_000),
  /** How often the worker records expired consents and posts reminders, in milliseconds (0 = never). */
  CONSENT_SWEEP_MS: z.coerce.number().int().min(0).default(60_000),
  /**
   * OpenID Connect single sign-on for agents at /inbox (features/sso, docs/deploy.md): the
   * provider's issuer URL (discovery), this hub's client id and secret there, and the redirect
   * URI registered for it (default PUBLIC_URL/inbox/api/sso/callback). Off while unset.
   */
  OIDC_AGENTS_ISSUER: optionalUrl,
  OIDC_AGENTS_CLIENT_ID: optionalText,
  OIDC_AGENTS_CLIENT_SECRET: optionalText,
  OIDC_AGENTS_REDIRECT_URI: optionalUrl,
  /** The same for business console members at /console (default redirect PUBLIC_URL/console/api/sso/callback). */
  OIDC_CONSOLE_ISSUER: optionalUrl,
  OIDC_CONSOLE_CLIENT_ID: optionalText,
  OIDC_CONSOLE_CLIENT_SECRET: optionalText,
  OIDC_CONSOLE_REDIRECT_URI: optionalUrl,
});

export type Config = Readonly<z.infer<typeof ConfigSchema>> & {
  readonly serviceKey: Buffer;
  readonly publicUrl: string;
  readonly kek: Kek;
  /** KEKs of KEK_PREVIOUS (rotation in progress). */
  readonly previousKeks: readonly Kek[];
  /** Whether /docs serves the OpenAPI document (API_DOCS, or its default for NODE_ENV). */
  readonly apiDocs: boolean;
};

/** Thrown when the environment does not validate; lists every problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Parses and validates the environment. Development defaults print one loud warning and
 * are refused when NODE_ENV=production.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  warn: (msg: string) => void = defaultWarn,
): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  let keyText = c.SERVICE_KEY;
  const devKek = c.KEK === undefined && c.KEK_FILE === undefined;
  if (keyText === undefined) {
    if (c.NODE_ENV === 'production')
      throw new ConfigError('Invalid configuration:\n  SERVICE_KEY: required when NODE_ENV=production');
    warn(
      `SERVICE_KEY ${devKek ? 'and KEK are' : 'is'} not set: using the development key${devKek ? 's' : ''}. It MUST be changed before real use (NODE_ENV=production refuses it).`,
    );
    keyText = DEV_SERVICE_KEY;
  } else if (devKek && c.NODE_ENV !== 'production') {
    warn(
      'KEK is not set: customer data keys are wrapped by a development key derived from SERVICE_KEY. Set KEK or KEK_FILE before real use (NODE_ENV=production refuses it).',
    );
  }
  const serviceKey = Buffer.from(keyText, 'base64url');
  if (serviceKey.length !== 32)
    throw new ConfigError('Invalid configuration:\n  SERVICE_KEY: must be 32 bytes, base64 or base64url encoded');
  if (c.NODE_ENV === 'production' && keyText === DEV_SERVICE_KEY) {
    throw new ConfigError(
      'Invalid configuration:\n  SERVICE_KEY: the development key is refused when NODE_ENV=production',
    );
  }
  let kek: Kek;
  let previousKeks: Kek[];
  try {
    kek = loadKek({ kek: c.KEK, kekFile: c.KEK_FILE, serviceKey, production: c.NODE_ENV === 'production' });
    previousKeks = parsePreviousKeks(c.KEK_PREVIOUS);
  } catch (err) {
    throw new ConfigError(`Invalid configuration:\n  ${(err as Error).message}`);
  }
  if (c.NODE_ENV === 'production' && (c.VAPID_PUBLIC_KEY === undefined || c.VAPID_PRIVATE_KEY === undefined))
    throw new ConfigError(`Invalid configuration:\n  ${VAPID_REQUIRED}`);
  const publicUrl = (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, '');
  const apiDocs = c.API_DOCS ?? c.NODE_ENV !== 'production';
  return Object.freeze({ ...c, serviceKey, publicUrl, kek, previousKeks, apiDocs });
}

/** Production refuses to start without the key pair that signs pushes (fraud alerts reach closed tabs by push). */
export const VAPID_REQUIRED =
  'VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY: required when NODE_ENV=production (Web Push signs with them); generate a pair with `confide vapid generate` (or `npx web-push generate-vapid-keys`)';

const defaultWarn = (msg: string): void => void process.stderr.write(`\n*** WARNING: ${msg} ***\n\n`);

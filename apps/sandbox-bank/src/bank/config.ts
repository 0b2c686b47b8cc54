/**
 * The sandbox bank's configuration: `BANK_*` environment variables, each overridable by
 * a flag (`--hub-url` → `BANK_HUB_URL`). Validated once at start.
 */
import { z } from 'zod';
import { describeIssues, envWithFlags } from '../common/cli-env.js';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const BankConfigSchema = z.object({
  /** Base URL of the hub's Platform API. */
  HUB_URL: z.url(),
  PAGE_TOKEN: z.string().min(20),
  APP_SECRET: z.string().min(8),
  VERIFY_TOKEN: z.string().min(8),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3100),
  HOST: z.string().default('127.0.0.1'),
  /** Where customers' browsers reach the bank (log-in page); default http://HOST:PORT. */
  PUBLIC_URL: z.url().optional(),
  /** Origins the log-in page may redirect back to; default the hub's origin. Comma-separated. */
  LINK_REDIRECT_ORIGINS: z.string().optional(),
  DATA_DIR: z.string().default('./data/sandbox-bank'),
  /** PRNG seed of the fixtures and the simulator. */
  SEED: z.coerce.number().int().default(42),
  /** Simulated card purchases per minute; 0 disables background traffic. */
  SIM_RATE: z.coerce.number().min(0).max(6_000).default(2),
  /** Probability that a simulator slot stages a fraud scenario. */
  FRAUD_RATE: z.coerce.number().min(0).max(1).default(0.1),
  BOOK_DELAY_MS: z.coerce.number().int().min(0).default(30_000),
  /** An unanswered fraud case expires after this long: payment declined, card soft-locked. */
  REPLY_TIMEOUT_MS: z.coerce.number().int().min(200).default(900_000),
  /** When the reminder about an unanswered case goes out, after the alert; default half of REPLY_TIMEOUT_MS. */
  REMIND_AFTER_MS: z.coerce.number().int().min(100).optional(),
  /** Proactive contacts per fraud case (alert, reminder, expiry notice). */
  MAX_CONTACTS: z.coerce.number().int().min(1).max(10).default(3),
  NOTIFY_TRANSACTIONS: bool.default(true),
  /** Bearer token of /admin/*; the admin routes are off without it. */
  ADMIN_TOKEN: z.string().min(16).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type BankConfig = z.infer<typeof BankConfigSchema>;

/** Reads `BANK_*` from `env` and flags from `argv`; throws a readable error. */
export function loadBankConfig(argv: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): BankConfig {
  const merged = envWithFlags(argv, env, 'BANK_');
  const raw = Object.fromEntries(
    Object.entries(merged).flatMap(([k, v]) => (k.startsWith('BANK_') ? [[k.slice(5), v]] : [])),
  );
  const parsed = BankConfigSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(`Invalid sandbox bank configuration:\n${describeIssues(parsed.error.issues, 'BANK_')}`);
  return parsed.data;
}

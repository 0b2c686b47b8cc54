/** The sandbox shop's configuration: `SHOP_*` variables or flags (`--hub-url` → `SHOP_HUB_URL`). */
import { z } from 'zod';
import { describeIssues, envWithFlags } from '../common/cli-env.js';

export const ShopConfigSchema = z.object({
  HUB_URL: z.url(),
  PAGE_TOKEN: z.string().min(20),
  APP_SECRET: z.string().min(8),
  VERIFY_TOKEN: z.string().min(8),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3200),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: z.url().optional(),
  DATA_DIR: z.string().default('./data/sandbox-shop'),
  /** Time between delivery steps (shipped, out for delivery, delivered). */
  SHIP_STEP_MS: z.coerce.number().int().min(100).default(20_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type ShopConfig = z.infer<typeof ShopConfigSchema>;

export function loadShopConfig(argv: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): ShopConfig {
  const merged = envWithFlags(argv, env, 'SHOP_');
  const raw = Object.fromEntries(
    Object.entries(merged).flatMap(([k, v]) => (k.startsWith('SHOP_') ? [[k.slice(5), v]] : [])),
  );
  const parsed = ShopConfigSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(`Invalid sandbox shop configuration:\n${describeIssues(parsed.error.issues, 'SHOP_')}`);
  return parsed.data;
}

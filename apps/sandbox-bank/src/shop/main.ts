#!/usr/bin/env node
/** `confide-sandbox-shop`: runs the sandbox shop alone against a hub (`SHOP_*` variables or flags). */
import { loadShopConfig } from './config.js';
import { createShop } from './server.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadShopConfig(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  const shop = await createShop(config);
  const url = await shop.start();
  process.stdout.write(`Sandbox Shop listening on ${url} (webhook ${url}/webhook)\n`);
  const stop = () => void shop.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  // E.g. a utility template the hub rejected: say why, once, and stop.
  process.stderr.write(`Sandbox Shop could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

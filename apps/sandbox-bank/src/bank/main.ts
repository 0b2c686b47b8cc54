#!/usr/bin/env node
/**
 * `confide-sandbox-bank`: runs the sandbox bank alone against a hub given by URL and
 * tokens (`BANK_*` variables or flags, see config.ts).
 */
import { loadBankConfig } from './config.js';
import { createBank } from './server.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadBankConfig(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  const bank = await createBank(config);
  const url = await bank.start();
  process.stdout.write(`Sandbox Bank listening on ${url} (webhook ${url}/webhook, log-in page ${url}/link)\n`);
  const stop = () => void bank.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  // E.g. a utility template the hub rejected: say why, once, and stop.
  process.stderr.write(`Sandbox Bank could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

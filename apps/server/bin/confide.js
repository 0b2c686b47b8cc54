#!/usr/bin/env node
// The `confide` command. This file is committed (npm links it at install time, before any
// build); it runs the compiled CLI in dist/, and says how to build it when it is missing.
import fs from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!fs.existsSync(cli)) {
  process.stderr.write(
    'confide: the hub is not built yet (apps/server/dist/cli.js is missing). Run `npm run build` first.\n',
  );
  process.exit(1);
}
const { main } = await import(cli.href);
main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);

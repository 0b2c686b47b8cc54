import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const IGNORED = ['**/node_modules/**', '**/dist/**'];
/** Privacy tests that run the CLI as a child process. */
const CLI_TESTS = ['apps/server/test/privacy/cli.test.ts', 'apps/server/test/privacy/audit-cli.test.ts'];

export default defineConfig({
  resolve: {
    alias: {
      // Tests run on the TypeScript sources, never on stale dist/ output.
      '@confide/protocol': src('./packages/protocol/src/index.ts'),
      '@confide/sdk': src('./packages/sdk/src/index.ts'),
      '@confide/server': src('./apps/server/src/index.ts'),
    },
  },
  test: {
    exclude: IGNORED,
    // Finds PostgreSQL and NATS, or starts an embedded PostgreSQL / skips the NATS suites
    // outside CI (a missing service fails a CI run): see tests/setup/services.ts.
    globalSetup: ['./tests/setup/services.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // expect.poll waits for something another process or a browser does: give it the time a
    // loaded CI machine needs (vitest's default is one second) before calling it a failure.
    expect: { poll: { timeout: 10_000 } },
    allowOnly: !process.env['CI'],
    pool: 'forks',
    projects: [
      {
        // Tests that run the hub in this process: they share one worker's module graph
        // (isolate: false), so a worker imports the hub once instead of re-evaluating it in a fresh
        // process per file, about a second of the CI's CPU per file. They build their hubs and
        // fixtures per test or per file and close them, so nothing carries over but the modules.
        extends: true,
        test: {
          name: 'in-process',
          include: [
            'packages/*/src/**/*.test.ts',
            'apps/*/src/**/*.test.ts',
            'apps/server/test/{contract,property,clients,push,sms,privacy}/**/*.test.ts',
          ],
          exclude: [...IGNORED, ...CLI_TESTS],
          isolate: false,
        },
      },
      {
        // Child processes, browsers, the fresh clone, outages and multi-hub runs: a fresh process per file.
        extends: true,
        test: {
          name: 'processes',
          include: [
            'apps/server/test/{process,reliability,scale}/**/*.test.ts',
            ...CLI_TESTS,
            'apps/sandbox-bank/test/**/*.test.ts',
            'tests/**/*.test.ts',
          ],
        },
      },
    ],
  },
});

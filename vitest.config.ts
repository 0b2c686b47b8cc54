import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

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
    exclude: ['**/node_modules/**', '**/dist/**'],
    // Finds PostgreSQL and NATS, or starts an embedded PostgreSQL / skips the NATS suites
    // outside CI (a missing service fails a CI run): see tests/setup/services.ts.
    globalSetup: ['./tests/setup/services.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    allowOnly: !process.env['CI'],
    pool: 'forks',
    projects: [
      {
        // The tests next to the sources share one worker's module graph (isolate: false): each
        // file imports the hub once instead of re-evaluating it in a fresh process, about a second
        // of the CI's CPU per file. They build their hubs and fixtures per test or per file and
        // close them, so nothing carries over but the loaded modules.
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts'],
          isolate: false,
        },
      },
      {
        // Processes, browsers, clones, outages and multi-hub runs: a fresh process per file.
        extends: true,
        test: { name: 'integration', include: ['apps/*/test/**/*.test.ts', 'tests/**/*.test.ts'] },
      },
    ],
  },
});

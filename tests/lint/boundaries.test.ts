/**
 * The layering lint (eslint.config.js) fails on wrong imports, not only passes on today's tree:
 * each case lints a deliberately wrong file placed, virtually, inside a layer.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { FEATURE_PAIRS, UPWARD_IMPORTS } from '../../tools/lint/baseline.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = 'apps/server/src';
const eslint = new ESLint({ cwd: ROOT });

/** Rule ids ESLint reports for `code` as if it lived at `path` (relative to the server's src). */
async function violations(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}${SRC}/${path}` });
  return (result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

describe('import-boundary lint', () => {
  it('refuses an import from a lower layer up (storage → features)', async () => {
    const code = "import { PageService } from '../features/pages/pages.js';\nexport type P = PageService;\n";
    expect(await violations('storage/fixture.ts', code)).toEqual(['boundaries/dependencies']);
  });

  it('refuses privacy importing http and a feature', async () => {
    const code = "export * from '../http/errors.js';\nexport * from '../features/consent/declarations.js';\n";
    expect(await violations('privacy/fixture.ts', code)).toEqual([
      'boundaries/dependencies',
      'boundaries/dependencies',
    ]);
  });

  it('refuses a feature importing a dialect implementation or driver', async () => {
    const code =
      "export * from '../../storage/pg-pool.js';\nexport * from '../../storage/db.js';\nimport pg from 'pg';\nexport const P = pg;\n";
    expect(await violations('features/consent/fixture.ts', code)).toEqual([
      'boundaries/dependencies',
      'boundaries/dependencies',
      'no-restricted-imports',
    ]);
  });

  it('refuses a feature picking a dialect’s SQL functions (it calls storage.sql)', async () => {
    const code = "export * from '../../storage/sql-functions.js';\n";
    expect(await violations('features/pages/fixture.ts', code)).toEqual(['boundaries/dependencies']);
  });

  it('refuses a feature importing the timeline store implementations; the kernel may, and may not import a feature', async () => {
    const code =
      "export * from '../../storage/timeline-sqlite.js';\nexport * from '../../storage/timeline-postgres.js';\n";
    expect(await violations('features/webhooks/fixture.ts', code)).toEqual([
      'boundaries/dependencies',
      'boundaries/dependencies',
    ]);
    const kernel = "export * from '../storage/timeline-store.js';\nexport * from '../features/inbox/publish.js';\n";
    expect(await violations('timeline/fixture.ts', kernel)).toEqual(['boundaries/dependencies']);
    expect(await violations('features/webhooks/fixture.ts', "export * from '../../timeline/index.js';\n")).toEqual([]);
  });

  it('refuses a feature → feature import outside the allow-list', async () => {
    expect(FEATURE_PAIRS).not.toContainEqual(['ops', 'consent']);
    const code = "export * from '../consent/declarations.js';\n";
    expect(await violations('features/ops/fixture.ts', code)).toEqual(['boundaries/dependencies']);
  });

  it('lets a feature read conversations through their public entry only, not their store', async () => {
    expect(FEATURE_PAIRS).not.toContainEqual(['handover', 'conversations']);
    const store = "export * from '../conversations/store.js';\n";
    expect(await violations('features/handover/fixture.ts', store)).toEqual(['boundaries/dependencies']);
    const entry = "export * from '../conversations/index.js';\nexport * from '../send-api/index.js';\n";
    expect(await violations('features/handover/fixture.ts', entry)).toEqual([]);
  });

  it('accepts imports down the layers, within a feature and along an allowed pair', async () => {
    expect(FEATURE_PAIRS).toContainEqual(['consent', 'pages']);
    const code = [
      "export * from '../../storage/schema.js';",
      "export * from '../../storage/write-queue.js';",
      "export * from '../../http/errors.js';",
      "export * from './declarations.js';",
      "export * from '../pages/pages.js';",
      "export * from '@confide/protocol';",
      '',
    ].join('\n');
    expect(await violations('features/consent/fixture.ts', code)).toEqual([]);
  });

  it('holds the size budget: 300 lines per file, 60 per function', async () => {
    const body = Array.from({ length: 61 }, (_, i) => `  const v${i} = ${i};`).join('\n');
    expect(await violations('features/ops/fixture.ts', `export function long(): void {\n${body}\n}\n`)).toEqual([
      'max-lines-per-function',
    ]);
    expect(await violations('features/ops/fixture.ts', 'export const x = 1;\n'.repeat(301))).toEqual(['max-lines']);
  });

  it('lists no stale exception: every upward import in the baseline still exists', () => {
    for (const [from, to] of UPWARD_IMPORTS) {
      const text = readFileSync(`${ROOT}${SRC}/${from}`, 'utf8');
      const target = to.replace(/\.ts$/, '.js').split('/').pop() ?? to;
      expect(text, `${from} → ${to}`).toContain(`/${target}'`);
    }
  });
});

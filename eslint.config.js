/**
 * The lint that holds the layers (ARCHITECTURE.md lists them): import boundaries inside the
 * server (eslint-plugin-boundaries) and the size budget (300 lines per file, 60 per function)
 * for every workspace's sources. Today's exceptions are listed, file by file, in
 * tools/lint/baseline.js: the lists may only shrink.
 */
import tsParser from '@typescript-eslint/parser';
import boundaries from 'eslint-plugin-boundaries';
import { fileURLToPath } from 'node:url';
import { FEATURE_PAIRS, LONG_FILES, LONG_FUNCTIONS, UPWARD_IMPORTS } from './tools/lint/baseline.js';

const SRC = 'apps/server/src';
const resolver = fileURLToPath(new URL('./tools/lint/ts-resolver.cjs', import.meta.url));

/** Server layers, lowest first. A layer may import its own and lower layers only. */
const LAYERS = [
  ['shared', [`${SRC}/logger.ts`, `${SRC}/metrics.ts`, `${SRC}/backoff.ts`]],
  ['config', [`${SRC}/config.ts`]],
  ['bus', [`${SRC}/bus/**`]],
  ['crypto', [`${SRC}/crypto/**`]],
  ['storage', [`${SRC}/storage/**`]],
  ['context', [`${SRC}/context.ts`]],
  ['privacy', [`${SRC}/privacy/**`]],
  ['http', [`${SRC}/http/**`]],
  ['timeline', [`${SRC}/timeline/**`]],
  ['feature', [`${SRC}/features/*/**`]],
  [
    'top',
    [`${SRC}/app.ts`, `${SRC}/hub.ts`, `${SRC}/cli.ts`, `${SRC}/index.ts`, `${SRC}/demo.ts`, `${SRC}/services/**`],
  ],
];

/** What each layer may import besides itself (config is read at the edges and passed down). */
const ALLOWED = {
  shared: [],
  config: ['shared', 'crypto'],
  bus: ['shared'],
  crypto: ['shared', 'storage'],
  storage: ['shared', 'crypto'],
  context: ['shared', 'config', 'bus', 'crypto', 'storage'],
  privacy: ['shared', 'config', 'bus', 'crypto', 'storage', 'context'],
  http: ['shared', 'config', 'bus', 'crypto', 'storage', 'context', 'privacy'],
  // The messaging kernel: the timeline's one write path. It imports no feature (consumers subscribe).
  timeline: ['shared', 'config', 'bus', 'crypto', 'storage', 'context', 'privacy'],
  feature: ['shared', 'config', 'bus', 'crypto', 'storage', 'context', 'privacy', 'http', 'timeline'],
  top: ['shared', 'config', 'bus', 'crypto', 'storage', 'context', 'privacy', 'http', 'timeline', 'feature'],
};

/**
 * The dialect implementations: the drivers, and the storage files that open, pool or cache a
 * SQLite or PostgreSQL connection, and the timeline store's two implementations. Features reach the database through the storage ports
 * (schema types, the write queue, prepared queries) and never fork on these.
 */
const DIALECT_FILES = [
  `${SRC}/storage/db.ts`,
  `${SRC}/storage/pg-pool.ts`,
  `${SRC}/storage/statement-cache.ts`,
  `${SRC}/storage/statement-tally.ts`,
  `${SRC}/storage/sqlite-tally.ts`,
  // The SQLite writer thread: its driver, dialects and thread program.
  `${SRC}/storage/sqlite-writer/*.ts`,
  // SQL spelled per dialect: features use the open storage's (`storage.sql`), never pick one.
  `${SRC}/storage/sql-functions.ts`,
  // The timeline store's implementations: features reach them through the kernel (src/timeline/).
  `${SRC}/storage/timeline-sqlite.ts`,
  `${SRC}/storage/timeline-postgres.ts`,
  `${SRC}/storage/timeline-routes-postgres.ts`,
];
const DIALECT_DRIVERS = ['pg', 'better-sqlite3'];

const FILE_BUDGET = { max: 300, skipBlankLines: false, skipComments: false };
const FUNCTION_BUDGET = { max: 60, skipBlankLines: false, skipComments: false, IIFEs: true };

const file = (path) => ({ file: { path } });
const element = (type, captured) => ({ element: captured ? { type, captured } : { type } });

const layerPolicies = Object.entries(ALLOWED).map(([type, lower]) => ({
  from: element(type),
  allow: { to: [type, ...lower].map((t) => element(t)) },
}));

const featurePolicies = [
  // A feature's own files, and other features only through their public entry (index.ts).
  { from: element('feature'), disallow: { to: element('feature') } },
  { from: element('feature'), allow: { to: element('feature', { name: '{{ from.captured.name }}' }) } },
  {
    from: element('feature'),
    allow: { to: { element: { type: 'feature' }, file: { path: `${SRC}/features/*/index.ts` } } },
  },
  ...FEATURE_PAIRS.map(([from, to]) => ({
    from: element('feature', { name: from }),
    allow: { to: element('feature', { name: to }) },
  })),
  { from: element('feature'), disallow: { to: DIALECT_FILES.map(file) } },
];

const baselinePolicies = UPWARD_IMPORTS.map(([from, to]) => ({
  from: file(`${SRC}/${from}`),
  allow: { to: file(`${SRC}/${to}`) },
}));

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/*.d.ts', 'data-test/**', 'tools/lint/fixtures/**'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parser: tsParser, parserOptions: { ecmaFeatures: { jsx: true } } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'max-lines': ['error', FILE_BUDGET],
      'max-lines-per-function': ['error', FUNCTION_BUDGET],
    },
  },
  // Tests and migrations are exempt from the size budget.
  {
    files: ['**/*.test.ts', '**/*.test.tsx', '**/test/**', 'tests/**', '**/migrations/**'],
    rules: { 'max-lines': 'off', 'max-lines-per-function': 'off' },
  },
  // Today's offenders, listed with their size as a ceiling: they may shrink, not grow, and new code may not join them.
  ...Object.entries(LONG_FILES).map(([path, max]) => ({
    files: [path],
    rules: { 'max-lines': ['error', { ...FILE_BUDGET, max }] },
  })),
  ...Object.entries(LONG_FUNCTIONS).map(([path, max]) => ({
    files: [path],
    rules: { 'max-lines-per-function': ['error', { ...FUNCTION_BUDGET, max }] },
  })),
  {
    files: [`${SRC}/**/*.ts`],
    ignores: [`${SRC}/**/*.test.ts`],
    plugins: { boundaries },
    settings: {
      'import/resolver': { [resolver]: {} },
      'boundaries/include': [`${SRC}/**/*.ts`],
      'boundaries/elements': LAYERS.map(([type, patterns]) =>
        type === 'feature'
          ? [{ type, pattern: `${SRC}/features/*`, capture: ['name'] }]
          : patterns.map((pattern) =>
              pattern.endsWith('.ts') ? { type, pattern, mode: 'file' } : { type, pattern, partialMatch: false },
            ),
      ).flat(),
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        { default: 'disallow', policies: [...layerPolicies, ...featurePolicies, ...baselinePolicies] },
      ],
    },
  },
  // The drivers are external modules: the core rule refuses them in features.
  {
    files: [`${SRC}/features/**/*.ts`],
    // Tests may drive a database directly (the delivery worker's test holds PostgreSQL locks).
    ignores: [`${SRC}/**/*.test.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: DIALECT_DRIVERS.map((name) => ({
            name,
            message: 'features reach the database through the storage ports, never a driver',
          })),
        },
      ],
    },
  },
];

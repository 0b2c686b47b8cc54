#!/usr/bin/env node
/**
 * Records the lint's current exceptions in tools/lint/baseline.js: every file or function over
 * budget gets its size as its ceiling, and every layering violation its pair. Run it only when
 * a reviewed change must land with new exceptions (e.g. merging work written before the lint
 * existed), and say so in the commit; the lists otherwise only shrink.
 *
 *   node tools/lint/rebaseline.mjs
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = 'apps/server/src';
const BASELINE = fileURLToPath(new URL('./baseline.js', import.meta.url));

const baseline = await import(`${pathToFileURL(BASELINE).href}?t=${Date.now()}`);
const longFiles = { ...baseline.LONG_FILES };
const longFunctions = { ...baseline.LONG_FUNCTIONS };
const featurePairs = new Set(baseline.FEATURE_PAIRS.map((p) => p.join('→')));
const upward = new Set(baseline.UPWARD_IMPORTS.map((p) => p.join('→')));

const results = await new ESLint({ cwd: ROOT }).lintFiles(['.']);
let added = 0;
for (const result of results) {
  const path = relative(ROOT, result.filePath);
  const lines = readFileSync(result.filePath, 'utf8').split('\n');
  for (const m of result.messages) {
    const size = /\((\d+)\)/.exec(m.message)?.[1];
    if (m.ruleId === 'max-lines' && size !== undefined) {
      longFiles[path] = Math.max(longFiles[path] ?? 0, Number(size));
      added++;
    } else if (m.ruleId === 'max-lines-per-function' && size !== undefined) {
      longFunctions[path] = Math.max(longFunctions[path] ?? 0, Number(size));
      added++;
    } else if (m.ruleId === 'boundaries/dependencies') {
      const spec = /from\s+['"]([^'"]+)['"]|import\(['"]([^'"]+)['"]\)/.exec(
        lines.slice(m.line - 1, m.line + 4).join(' '),
      );
      const target = spec?.[1] ?? spec?.[2];
      if (target === undefined) throw new Error(`cannot read the import at ${path}:${m.line}`);
      const to = relative(resolve(ROOT, SRC), resolve(dirname(result.filePath), target)).replace(/\.js$/, '.ts');
      const from = relative(resolve(ROOT, SRC), result.filePath);
      const [fromFeature, toFeature] = [/^features\/([^/]+)\//.exec(from)?.[1], /^features\/([^/]+)\//.exec(to)?.[1]];
      if (fromFeature !== undefined && toFeature !== undefined) featurePairs.add(`${fromFeature}→${toFeature}`);
      else upward.add(`${from}→${to}`);
      added++;
    } else if (m.ruleId !== null) {
      throw new Error(`${path}:${m.line} ${m.ruleId}: ${m.message} (not a baseline rule: fix it)`);
    }
  }
}

const sorted = (o) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
const pairs = (set) => [...set].sort().map((p) => p.split('→'));
const text = readFileSync(BASELINE, 'utf8');
const replaceBlock = (source, name, open, close, body) => {
  const start = source.indexOf(`export const ${name} = ${open}`);
  const end = source.indexOf(`\n${close};`, start);
  if (start < 0 || end < 0) throw new Error(`baseline.js has no ${name}`);
  return `${source.slice(0, start)}export const ${name} = ${open}\n${body}${source.slice(end)}`;
};
const list = (items) => items.map(([a, b]) => `  ['${a}', '${b}'],`).join('\n');
const map = (o) =>
  Object.entries(sorted(o))
    .map(([k, v]) => `  '${k}': ${v},`)
    .join('\n');
let out = replaceBlock(text, 'UPWARD_IMPORTS', '[', ']', list(pairs(upward)));
out = replaceBlock(out, 'FEATURE_PAIRS', '[', ']', list(pairs(featurePairs)));
out = replaceBlock(out, 'LONG_FILES', '{', '}', map(longFiles));
out = replaceBlock(out, 'LONG_FUNCTIONS', '{', '}', map(longFunctions));
writeFileSync(BASELINE, out);
process.stdout.write(`baseline.js: ${added} exception(s) recorded\n`);

/**
 * Import resolver for eslint-plugin-boundaries (eslint-module-utils resolver interface v2).
 * The server and packages import their TypeScript siblings with `.js` specifiers (NodeNext);
 * this maps `./x.js` to `./x.ts` (or `.tsx`) so the lint classifies the file actually imported.
 * Bare specifiers resolve through Node; unresolvable ones are reported as not found.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

exports.interfaceVersion = 2;

/** @returns {{ found: boolean, path?: string | null }} */
exports.resolve = function resolve(source, file) {
  if (source.startsWith('node:')) return { found: true, path: null };
  if (source.startsWith('.') || path.isAbsolute(source)) {
    const target = path.resolve(path.dirname(file), source);
    const stem = target.replace(/\.(js|jsx|mjs|cjs)$/, '');
    for (const candidate of [`${stem}.ts`, `${stem}.tsx`, target, `${target}/index.ts`]) {
      if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return { found: true, path: candidate };
    }
    return { found: false };
  }
  try {
    return { found: true, path: createRequire(file).resolve(source) };
  } catch {
    return { found: false };
  }
};

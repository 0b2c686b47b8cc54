import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('.', import.meta.url));
const ALLOWED = new Set(['@confide/sdk', 'fastify', 'kysely', 'better-sqlite3', 'pino', 'zod']);

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('dog-fooding', () => {
  it('the bank, the shop and their shared code import only the public SDK (plus the allowed libraries)', () => {
    const offenders: string[] = [];
    for (const dir of ['bank', 'shop', 'common']) {
      for (const file of files(join(SRC, dir)).filter((f) => !f.endsWith('.test.ts'))) {
        for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)) {
          if (spec === undefined || spec.startsWith('.') || spec.startsWith('node:')) continue;
          if (!ALLOWED.has(spec)) offenders.push(`${file.slice(SRC.length)} imports ${spec}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});

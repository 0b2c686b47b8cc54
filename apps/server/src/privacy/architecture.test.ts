/**
 * Architecture: every decryption of customer content goes through the purposes gateway
 * (privacy/vault.ts and its parts in privacy/vault/). No other module may import the AEAD primitives, and no module
 * outside the two crypto boxes may create a decipher at all.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [full] : [];
  });
}

const rel = (f: string) => path.relative(SRC, f).split(path.sep).join('/');
/** Module specifiers a file imports (static and dynamic), resolved against its folder. */
function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)].map((m) => m[1] ?? '');
  return specs.map((s) => (s.startsWith('.') ? rel(path.resolve(path.dirname(file), s)).replace(/\.js$/, '.ts') : s));
}

describe('architecture: the purposes gateway', () => {
  const files = sources(SRC);

  it('scans the whole source tree', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files.map(rel)).toContain('privacy/vault.ts');
  });

  it("lets only the vault's modules (privacy/vault/) import the decryption primitives (privacy/aead.ts)", () => {
    const importers = files.filter((f) => imports(f).includes('privacy/aead.ts')).map(rel);
    expect(importers.sort()).toEqual([
      'privacy/vault/content-sealing.ts',
      'privacy/vault/file-crypto.ts',
      'privacy/vault/key-wrap.ts',
    ]);
  });

  it('keeps privacy below the features: no privacy module imports a feature or http (features register hooks)', () => {
    const upward = files
      .filter((f) => rel(f).startsWith('privacy/'))
      .flatMap((f) =>
        imports(f)
          .filter((i) => /^(features|http)\//.test(i))
          .map((i) => `${rel(f)} → ${i}`),
      );
    expect(upward).toEqual([]);
  });

  it('creates deciphers only in privacy/aead.ts (content) and crypto/secret-box.ts (service secrets)', () => {
    const users = files
      .filter((f) => /createDecipheriv|subtle\.decrypt|compactDecrypt|jwtDecrypt/.test(fs.readFileSync(f, 'utf8')))
      .map(rel);
    expect(users.sort()).toEqual(['crypto/secret-box.ts', 'privacy/aead.ts']);
  });

  it('keeps the purpose list closed: a literal tuple, checked at runtime by the gateway', () => {
    const purposes = fs.readFileSync(path.join(SRC, 'privacy/purposes.ts'), 'utf8');
    // Whatever the line wrapping, the tuple holds exactly these purposes, in this order.
    expect(purposes).toMatch(
      /PURPOSES = \[\s*'deliver_to_customer',\s*'deliver_to_business',\s*'agent_support',\s*'customer_export',\s*'assistant_relay',?\s*\] as const/,
    );
    // Every opening path runs the purpose check (the access gate) before touching a key.
    const openings = [
      ['privacy/vault/content-sealing.ts', '#open('],
      ['privacy/vault/content-sealing.ts', 'openBlob('],
      ['privacy/vault/file-crypto.ts', 'openFileKey('],
    ] as const;
    for (const [file, method] of openings) {
      const text = fs.readFileSync(path.join(SRC, file), 'utf8');
      expect(text.indexOf(`async ${method}`), method).toBeGreaterThan(0);
      const body = text.slice(text.indexOf(`async ${method}`));
      const firstLines = body.slice(0, body.indexOf('\n  }\n')).split('\n').slice(0, 3).join('\n');
      expect(firstLines, method).toMatch(/this\.#gate\.check\(access/);
    }
  });
});

/**
 * Architecture: every decryption of customer content goes through the purposes gateway
 * (privacy/vault.ts). No other module may import the AEAD primitives, and no module
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

  it('lets only privacy/vault.ts import the decryption primitives (privacy/aead.ts)', () => {
    const importers = files.filter((f) => imports(f).includes('privacy/aead.ts')).map(rel);
    expect(importers).toEqual(['privacy/vault.ts']);
  });

  it('creates deciphers only in privacy/aead.ts (content) and crypto/secret-box.ts (service secrets)', () => {
    const users = files
      .filter((f) => /createDecipheriv|subtle\.decrypt|compactDecrypt|jwtDecrypt/.test(fs.readFileSync(f, 'utf8')))
      .map(rel);
    expect(users.sort()).toEqual(['crypto/secret-box.ts', 'privacy/aead.ts']);
  });

  it('keeps the purpose list closed: a literal tuple, checked at runtime by the gateway', () => {
    const purposes = fs.readFileSync(path.join(SRC, 'privacy/purposes.ts'), 'utf8');
    expect(purposes).toMatch(
      /PURPOSES = \['deliver_to_customer', 'deliver_to_business', 'agent_support', 'customer_export', 'assistant_relay'\] as const/,
    );
    const vault = fs.readFileSync(path.join(SRC, 'privacy/vault.ts'), 'utf8');
    // Every opening path runs the purpose check before touching a key.
    for (const method of ['#open(', 'openBlob(', 'openFileKey(']) {
      const body = vault.slice(vault.indexOf(`async ${method}`));
      expect(body.slice(0, body.indexOf('\n  }\n')), method).toMatch(/this\.#check\(access/);
    }
  });
});

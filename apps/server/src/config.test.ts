import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigSchema, loadConfig, DEV_SERVICE_KEY } from './config.js';

describe('loadConfig', () => {
  it('documents every variable of the schema in .env.example, and nothing else', () => {
    const text = fs.readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    const documented = [...text.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(Object.keys(ConfigSchema.shape).sort());
  });

  it('warns once about the development key and uses it outside production', () => {
    const warnings: string[] = [];
    const config = loadConfig({}, (m) => warnings.push(m));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/SERVICE_KEY/);
    expect(config.serviceKey.toString('base64url')).toBe(DEV_SERVICE_KEY);
    expect(config.publicUrl).toBe('http://localhost:8080');
  });

  it('refuses the development key in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SERVICE_KEY: required/);
    expect(() => loadConfig({ NODE_ENV: 'production', SERVICE_KEY: DEV_SERVICE_KEY })).toThrow(
      /development key is refused/,
    );
  });

  it('lists every invalid variable at once', () => {
    expect(() =>
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', SERVICES: 'api,bogus' }, () => undefined),
    ).toThrow(/PORT[\s\S]*DATABASE_URL[\s\S]*SERVICES/);
  });

  it('rejects a service key of the wrong length', () => {
    expect(() => loadConfig({ SERVICE_KEY: 'c2hvcnQ' })).toThrow(/32 bytes/);
  });
});

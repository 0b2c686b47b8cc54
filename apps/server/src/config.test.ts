import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { ConfigSchema, loadConfig, DEV_SERVICE_KEY } from './config.js';
import { runVapidGenerate } from './features/push/cli-commands.js';

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

  it('refuses production without the VAPID pair, naming both variables and the command that makes one', () => {
    const base = {
      NODE_ENV: 'production',
      SERVICE_KEY: randomBytes(32).toString('base64url'),
      KEK: randomBytes(32).toString('base64'),
    };
    let printed = '';
    expect(runVapidGenerate(true, (t) => (printed += t))).toBe(0);
    const pair = JSON.parse(printed) as { VAPID_PUBLIC_KEY: string; VAPID_PRIVATE_KEY: string };
    for (const env of [
      base,
      { ...base, VAPID_PUBLIC_KEY: pair.VAPID_PUBLIC_KEY },
      { ...base, VAPID_PRIVATE_KEY: '' },
    ]) {
      expect(() => loadConfig(env)).toThrow(
        /VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY: required when NODE_ENV=production.*confide vapid generate/,
      );
    }
    const config = loadConfig({ ...base, ...pair });
    expect(config.VAPID_PUBLIC_KEY).toBe(pair.VAPID_PUBLIC_KEY);
    expect(Buffer.from(pair.VAPID_PUBLIC_KEY, 'base64url')).toHaveLength(65);
    expect(Buffer.from(pair.VAPID_PRIVATE_KEY, 'base64url')).toHaveLength(32);
  });

  it('prints the pair as environment lines for the hub', () => {
    let printed = '';
    runVapidGenerate(undefined, (t) => (printed += t));
    expect(printed).toMatch(/^VAPID_PUBLIC_KEY=[\w-]{87}\nVAPID_PRIVATE_KEY=[\w-]{43}\n/);
  });

  it('outside production, no VAPID pair is needed (development generates one into DATA_DIR)', () => {
    expect(() => loadConfig({ NODE_ENV: 'development' }, () => undefined)).not.toThrow();
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

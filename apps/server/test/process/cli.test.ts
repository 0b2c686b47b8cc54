import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, startHubProcess } from './hub-process.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-cli-'));
const run = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args, '--data-dir', dataDir], {
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'test' },
  });

describe('confide CLI', () => {
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('documents every command in --help', () => {
    const res = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    expect(res.status).toBe(0);
    for (const cmd of ['confide start', 'confide migrate', 'confide page create', 'confide customer create'])
      expect(res.stdout).toContain(cmd);
  });

  it('production refuses to start without the VAPID pair; `confide vapid generate` prints one it accepts', () => {
    const production = {
      ...process.env,
      NODE_ENV: 'production',
      SERVICE_KEY: 'c2VydmljZS1rZXktZm9yLXRoZS1jbGktdGVzdC0zMmI',
      KEK: Buffer.alloc(32, 7).toString('base64'),
      VAPID_PUBLIC_KEY: '',
      VAPID_PRIVATE_KEY: '',
    };
    const refused = spawnSync(process.execPath, [CLI, 'migrate', '--data-dir', dataDir], {
      encoding: 'utf8',
      env: production,
    });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY: required when NODE_ENV=production/);
    expect(refused.stderr).toContain('confide vapid generate');

    const generated = spawnSync(process.execPath, [CLI, 'vapid', 'generate'], { encoding: 'utf8', env: production });
    expect(generated.status, generated.stderr).toBe(0);
    const pair = Object.fromEntries(
      generated.stdout
        .split('\n')
        .filter((l) => /^VAPID_/.test(l))
        .map((l) => l.split('=') as [string, string]),
    );
    const started = spawnSync(process.execPath, [CLI, 'migrate', '--data-dir', dataDir], {
      encoding: 'utf8',
      env: { ...production, ...pair },
    });
    expect(started.status, started.stderr).toBe(0);
  });

  it('--json prints only JSON on stdout; the hub’s start-up warnings go to stderr', () => {
    // A fresh development data dir: the hub generates VAPID keys and warns about it while the command runs
    // (as it warns that the web app is not built, where it is not).
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-cli-json-'));
    try {
      const res = spawnSync(
        process.execPath,
        [CLI, 'page', 'create', '--name', 'Json Bank', '--category', 'bank', '--json', '--data-dir', fresh],
        {
          encoding: 'utf8',
          env: { ...process.env, NODE_ENV: 'development', VAPID_PUBLIC_KEY: '', VAPID_PRIVATE_KEY: '' },
        },
      );
      expect(res.status, res.stderr).toBe(0);
      expect(res.stderr).toContain('VAPID keys generated for development');
      const lines = res.stdout.split('\n').filter((l) => l !== '');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] ?? '')).toMatchObject({ page_id: expect.any(String), app_id: expect.any(String) });
    } finally {
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('creates a page and prints its credentials as JSON; the token works and rotates', () => {
    const res = run('page', 'create', '--name', 'CLI Bank', '--category', 'bank', '--json');
    expect(res.status, res.stderr).toBe(0);
    const created = JSON.parse(res.stdout);
    expect(created).toMatchObject({
      page_id: expect.stringMatching(/^\d{15}$/),
      app_id: expect.stringMatching(/^\d{15}$/),
    });
    expect(created.page_access_token.length).toBeGreaterThan(40);
    expect(created.app_secret.length).toBeGreaterThan(20);
    const rotated = run('page', 'token', 'create', '--page', created.page_id, '--json');
    expect(JSON.parse(rotated.stdout).page_access_token).not.toBe(created.page_access_token);
    const revoked = run(
      'page',
      'token',
      'revoke',
      '--page',
      created.page_id,
      '--token-id',
      JSON.parse(rotated.stdout).token_id,
      '--json',
    );
    expect(revoked.status).toBe(0);
    const again = run(
      'page',
      'token',
      'revoke',
      '--page',
      created.page_id,
      '--token-id',
      JSON.parse(rotated.stdout).token_id,
    );
    expect(again.status).toBe(1);
  });

  it('refuses bad usage with a message and a non-zero status', () => {
    const res = run('page', 'create', '--name', 'X', '--category', 'casino');
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/--category bank\|merchant/);
    const unknown = run('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown command/);
  });

  it('creates a customer who can then log in to a running hub, and drains on SIGTERM', async () => {
    const res = run('customer', 'create', '--username', 'cliuser', '--password', 'long enough secret', '--json');
    expect(res.status, res.stderr).toBe(0);
    const { child, url } = await startHubProcess(dataDir);
    const login = await fetch(`${url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'cliuser', password: 'long enough secret' }),
    });
    expect(login.status).toBe(200);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

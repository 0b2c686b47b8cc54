/**
 * README.md's commands on a fresh clone, as a newcomer types them: clone the committed HEAD,
 * `npm ci`, `npm run build`, then every `npx confide …` command the README shows, `confide
 * start` (SQLite and PostgreSQL) with the README's health check, and `npm start`.
 *
 * The install is `npm ci --prefer-offline --ignore-scripts` from the npm cache (the lockfile,
 * the engines check and the bin links are exactly those of a plain `npm ci`), and the one
 * native addon, better-sqlite3's, is copied from this checkout's install after checking the
 * versions match: compiling it takes about two minutes of the CI's two cores. That its install
 * script is allowed to run is tested in tests/setup/install.test.ts, and `.ci/run` itself runs
 * the full `npm ci`.
 *
 * Note: this tests what is committed; uncommitted changes in the working tree are not cloned.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'confide-fresh-clone-'));
const clone = join(work, 'confide');

/** The environment of a newcomer's shell: none of this test run's npm, Vitest or hub variables. */
function newcomerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const k = key.toLowerCase();
    // What npm sets for the script running this test (`npm test`), which would point npm and
    // npx in the clone back at this checkout; the user's own npm_config_* settings stay.
    if (k.startsWith('npm_package_') || k.startsWith('npm_lifecycle_')) continue;
    if (
      [
        'npm_config_local_prefix',
        'npm_config_call',
        'npm_config_user_agent',
        'npm_command',
        'npm_execpath',
        'npm_node_execpath',
        'init_cwd',
      ].includes(k)
    )
      continue;
    if (
      k.startsWith('vitest') ||
      k.startsWith('test_') ||
      ['node_env', 'database_url', 'nats_url', 'port', 'data_dir', 'log_level'].includes(k)
    )
      continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

function run(
  cmd: string,
  args: string[],
  options: { env?: Record<string, string>; timeout?: number } = {},
): SpawnSyncReturns<string> {
  const result = spawnSync(cmd, args, {
    cwd: clone,
    env: newcomerEnv(options.env),
    encoding: 'utf8',
    timeout: options.timeout ?? 60_000,
  });
  if (result.error) throw result.error;
  return result;
}

/** Runs a README command and expects it to succeed; returns its stdout. */
function ok(cmd: string, args: string[], options: { env?: Record<string, string>; timeout?: number } = {}): string {
  const result = run(cmd, args, options);
  expect(result.status, `${cmd} ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

function npx(...args: string[]): string {
  return ok('npx', args);
}

/** Like `ok`, without blocking the event loop (for commands that call back into this process). */
function runAsync(cmd: string, args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(cmd, args, { cwd: clone, env: newcomerEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, out })));
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A long-running README command in its own process group, stopped as a terminal's Ctrl-C
 * would: the signal goes to the whole group (npx and npm do not forward it to the hub).
 * `stop()` resolves true when every process of the group let go of its output by itself
 * (graceful shutdown), false when it had to be killed after 15 s.
 */
function background(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): { output: () => string; stop(): Promise<boolean> } {
  const child = spawn(cmd, args, {
    cwd: clone,
    env: newcomerEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  // 'close' waits for the pipes, which the hub (a grandchild) holds too.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const group = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // the group is gone already
    }
  };
  return {
    output: () => out,
    async stop() {
      group('SIGINT');
      let graceful = true;
      const timer = setTimeout(() => {
        graceful = false;
        group('SIGKILL');
      }, 15_000);
      await closed;
      clearTimeout(timer);
      return graceful;
    },
  };
}

async function refused(url: string): Promise<boolean> {
  return fetch(url).then(
    () => false,
    () => true,
  );
}

async function healthz(url: string): Promise<unknown> {
  const res = await fetch(`${url}/healthz`);
  return res.status === 200 ? res.json() : undefined;
}

describe('a fresh clone, by the README', () => {
  let installOutput = '';

  beforeAll(() => {
    const cloned = spawnSync('git', ['clone', '--quiet', ROOT, clone], { encoding: 'utf8' });
    expect(cloned.status, cloned.stderr).toBe(0);
    const install = run('npm', ['ci', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
      timeout: 240_000,
    });
    installOutput = `${install.stdout}\n${install.stderr}`;
    expect(install.status, installOutput).toBe(0);
    // The native addon: copied from this checkout's install of the same version (see above).
    const version = (dir: string) =>
      (JSON.parse(readFileSync(join(dir, 'node_modules/better-sqlite3/package.json'), 'utf8')) as { version: string })
        .version;
    expect(version(clone)).toBe(version(ROOT));
    cpSync(join(ROOT, 'node_modules/better-sqlite3/build'), join(clone, 'node_modules/better-sqlite3/build'), {
      recursive: true,
    });
  }, 300_000);

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('installs from the lockfile without engine warnings, and links the confide command before any build', () => {
    expect(installOutput).not.toMatch(/EBADENGINE|Unsupported engine/);
    expect(existsSync(join(clone, 'node_modules/.bin/confide'))).toBe(true);
    // Not built yet: the command says what to do instead of failing obscurely.
    const early = run('npx', ['--no-install', 'confide', '--help']);
    expect(early.status).toBe(1);
    expect(early.stderr).toContain('Run `npm run build` first');
  });

  it('builds, then every CLI command in the README works', async () => {
    ok('npm', ['run', 'build'], { timeout: 300_000 });

    expect(npx('--no-install', 'confide', '--help')).toContain(
      'confide page create --name NAME --category bank|merchant',
    );
    expect(npx('confide', 'migrate')).toContain('Migrations applied.');

    const page = JSON.parse(
      npx('confide', 'page', 'create', '--name', 'My Bank', '--category', 'bank', '--json'),
    ) as Record<string, string>;
    expect(page).toEqual({
      page_id: expect.stringMatching(/^\d+$/),
      app_id: expect.stringMatching(/^\d+$/),
      app_secret: expect.any(String),
      page_access_token: expect.stringMatching(/^EA/),
    });

    // Rotation: a second token, then revoke it by id.
    const issued = npx('confide', 'page', 'token', 'create', '--page', page['page_id'] ?? '');
    const tokenId = /token_id: (\S+)/.exec(issued)?.[1];
    const rotated = /page_access_token: (\S+)/.exec(issued)?.[1];
    expect(tokenId, issued).toBeDefined();
    expect(
      npx('confide', 'page', 'token', 'revoke', '--page', page['page_id'] ?? '', '--token-id', tokenId ?? ''),
    ).toContain(`revoked: ${tokenId}`);

    const customer = JSON.parse(
      npx('confide', 'customer', 'create', '--username', 'alice', '--password', 'correct horse battery', '--json'),
    ) as {
      username: string;
    };
    expect(customer.username).toBe('alice');
    const agent = JSON.parse(
      npx(
        'confide',
        'agent',
        'create',
        '--page',
        page['page_id'] ?? '',
        '--username',
        'agent1',
        '--password',
        'correct horse battery',
        '--json',
      ),
    ) as {
      page_id: string;
    };
    expect(agent.page_id).toBe(page['page_id']);

    // Webhooks: `set` runs the verification handshake against a receiver on loopback.
    const verifyToken = randomBytes(8).toString('hex');
    const seen: string[] = [];
    const receiver: Server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push(`${req.method} ${url.searchParams.get('hub.mode')} ${url.searchParams.get('hub.verify_token')}`);
      if (url.searchParams.get('hub.verify_token') === verifyToken)
        res.end(url.searchParams.get('hub.challenge') ?? '');
      else res.writeHead(403).end();
    });
    const receiverPort = await freePort();
    await new Promise<void>((r) => receiver.listen(receiverPort, '127.0.0.1', r));
    try {
      const callback = `http://127.0.0.1:${receiverPort}/webhook`;
      // spawnSync would block this process's event loop, and with it the receiver: run async.
      const set = await runAsync('npx', [
        'confide',
        'webhook',
        'set',
        '--page',
        page['page_id'] ?? '',
        '--url',
        callback,
        '--verify-token',
        verifyToken,
      ]);
      expect(set.code, set.out).toBe(0);
      expect(seen).toEqual([`GET subscribe ${verifyToken}`]);
      expect(npx('confide', 'webhook', 'status', '--page', page['page_id'] ?? '')).toContain(
        `callback_url: ${callback}`,
      );
      npx('confide', 'webhook', 'enable', '--page', page['page_id'] ?? '');
      expect(npx('confide', 'webhook', 'redeliver', '--page', page['page_id'] ?? '')).toContain('requeued: 0');
    } finally {
      await new Promise((r) => receiver.close(r));
    }

    // `confide start` serves what the commands created; the README's health check answers.
    const port = await freePort();
    const hub = background('npx', [
      'confide',
      'start',
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--data-dir',
      './data',
      '--demo',
    ]);
    try {
      const url = `http://127.0.0.1:${port}`;
      expect(await waitFor('the hub', () => healthz(url))).toEqual({ status: 'ok', database: 'sqlite' });
      const me = await fetch(`${url}/v19.0/me?access_token=${page['page_access_token']}`);
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ id: page['page_id'], name: 'My Bank' });
      const revoked = await fetch(`${url}/v19.0/me?access_token=${rotated}`);
      expect(revoked.status).toBe(400);
      expect((await revoked.json()) as { error: { code: number } }).toMatchObject({ error: { code: 190 } });
      // --demo prints the demo logins once it has seeded them (after the hub answers).
      await waitFor('the demo logins', async () => (hub.output().includes('alice /') ? true : undefined));
    } finally {
      expect(await hub.stop()).toBe(true);
    }
    expect(await refused(`http://127.0.0.1:${port}/healthz`)).toBe(true);
  }, 420_000);

  it('`confide start --database-url postgres://…` runs on PostgreSQL', async () => {
    const base = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
    const schema = `fc_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    const port = await freePort();
    const hub = background('npx', [
      'confide',
      'start',
      '--port',
      String(port),
      '--database-url',
      `${base}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    ]);
    try {
      expect(await waitFor('the hub on PostgreSQL', () => healthz(`http://127.0.0.1:${port}`))).toEqual({
        status: 'ok',
        database: 'postgres',
      });
    } finally {
      expect(await hub.stop()).toBe(true);
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    }
  }, 60_000);

  it('`npm start` builds and starts the demo, which prints its logins', async () => {
    const [port, bankPort, shopPort] = [await freePort(), await freePort(), await freePort()];
    const url = `http://127.0.0.1:${port}`;
    const demo = background('npm', ['start'], {
      PORT: String(port),
      PUBLIC_URL: url,
      BANK_PORT: String(bankPort),
      SHOP_PORT: String(shopPort),
    });
    try {
      await waitFor(
        'the demo banner',
        async () => (/Sandbox Shop: EA\S+/.test(demo.output()) ? true : undefined),
        180_000,
      );
      expect(await healthz(url)).toEqual({ status: 'ok', database: 'sqlite' });
      expect(demo.output()).toContain('alice');
    } finally {
      expect(await demo.stop()).toBe(true);
    }
    expect(await refused(`${url}/healthz`)).toBe(true);
  }, 240_000);
});

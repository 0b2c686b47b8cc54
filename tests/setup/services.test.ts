/**
 * The test services set-up (tests/setup/services.ts), run for real in a child Vitest on a
 * fixture: with PostgreSQL and NATS pointed at closed ports, a contributor's run starts an
 * embedded PostgreSQL (and removes it), skips the NATS suites with one line, and passes;
 * under CI=true the same run fails, naming the missing service.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VITEST = `${ROOT}node_modules/vitest/vitest.mjs`;

/** A loopback port nobody listens on (taken from the OS, then released). */
async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function runFixture(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [VITEST, 'run', '--config', 'tests/setup/fixtures/vitest.config.ts'], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, out };
}

describe('test services set-up', () => {
  it('without PostgreSQL or NATS: starts an embedded PostgreSQL, skips the NATS suites in one line, passes, cleans up', async () => {
    const pgPort = await closedPort();
    const natsPort = await closedPort();
    const { code, out } = await runFixture({
      CI: '',
      TEST_DATABASE_URL: `postgres://postgres@127.0.0.1:${pgPort}/test`,
      TEST_NATS_URL: `nats://127.0.0.1:${natsPort}`,
    });
    expect(code, out).toBe(0);
    const pgLine = out.split('\n').find((l) => l.startsWith('[services] PostgreSQL:'));
    expect(pgLine, out).toMatch(
      new RegExp(`nothing at postgres://postgres@127\\.0\\.0\\.1:${pgPort}/test; started an embedded PostgreSQL`),
    );
    // The fixture's query ran on the embedded server, not on the machine's.
    expect(out).toMatch(/fixture: server PostgreSQL \d+/);
    const natsLines = out.split('\n').filter((l) => l.startsWith('[services] NATS:'));
    expect(natsLines).toHaveLength(1);
    expect(natsLines[0]).toContain(
      `nothing at nats://127.0.0.1:${natsPort}; skipped apps/server/src/bus/nats-bus.test.ts, apps/server/test/scale/cross-hub.test.ts, apps/server/test/scale/processes.test.ts`,
    );
    expect(natsLines[0]).toContain('TEST_NATS_URL');
    expect(out).toMatch(/1 passed \| 1 skipped/);
    // Stopped and removed: its port is closed again and its directory is gone.
    const embedded = /at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:(\d+)\/test .*data in (\S+), stopped/.exec(
      pgLine ?? '',
    );
    expect(embedded, pgLine).not.toBeNull();
    expect(await listening(Number(embedded?.[1]))).toBe(false);
    expect(existsSync(embedded?.[2] ?? '/')).toBe(false);
  }, 120_000);

  it('under CI=true, a missing PostgreSQL fails the run and says which', async () => {
    const pgPort = await closedPort();
    const { code, out } = await runFixture({
      CI: 'true',
      TEST_DATABASE_URL: `postgres://postgres@127.0.0.1:${pgPort}/test`,
    });
    expect(code).not.toBe(0);
    expect(out).toContain(
      `PostgreSQL is not reachable at postgres://postgres@127.0.0.1:${pgPort}/test (TEST_DATABASE_URL). Under CI`,
    );
    expect(out).not.toContain('embedded');
  }, 60_000);

  it('under CI=true, a missing NATS fails the run instead of skipping', async () => {
    const natsPort = await closedPort();
    // PostgreSQL is the one this run uses (the machine's, or the embedded one started for it).
    const { code, out } = await runFixture({ CI: 'true', TEST_NATS_URL: `nats://127.0.0.1:${natsPort}` });
    expect(code).not.toBe(0);
    expect(out).toContain(
      `NATS is not reachable at nats://127.0.0.1:${natsPort} (TEST_NATS_URL). Under CI the NATS suites are never skipped`,
    );
    expect(out).not.toContain('skipped apps/');
  }, 60_000);

  it('a PostgreSQL that answers but refuses (no such database) fails the run, CI or not: nothing is substituted', async () => {
    const url = new URL(process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test');
    url.pathname = '/no_such_database';
    const { code, out } = await runFixture({ CI: '', TEST_DATABASE_URL: url.toString() });
    expect(code).not.toBe(0);
    expect(out).toContain('answered but refused the test suite: database "no_such_database" does not exist');
    expect(out).not.toContain('started an embedded PostgreSQL');
  }, 60_000);
});

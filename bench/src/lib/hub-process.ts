/**
 * Runs the hub as a real process (`apps/server/dist/cli.js start`), the way it is
 * deployed, so the load generator never shares its event loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuMsOf, hardFileLimit, rssOf } from './machine.js';

export const CLI = fileURLToPath(new URL('../../../apps/server/dist/cli.js', import.meta.url));

export interface HubProcessOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  env?: Record<string, string>;
  /** Folder for a V8 CPU profile (`--cpu-prof`), written when the hub exits. */
  cpuProfileDir?: string | undefined;
}

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly port: number;
  rss(): number;
  /** CPU time used so far, in milliseconds. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** Servers started by this run, so an interrupted run stops them (see run.ts). */
const live = new Set<ChildProcess>();

/** Kills every server this run started and has not stopped yet. */
export function killAllServers(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

/**
 * Spawns `node …args` through `sh` so the open-file limit is raised to the hard limit
 * first, and resolves once a line of stdout matches `ready`.
 */
export async function spawnServer(
  args: string[],
  env: Record<string, string | undefined>,
  ready: RegExp,
  label: string,
): Promise<ServerProcess> {
  const limit = hardFileLimit();
  const child = spawn('/bin/sh', ['-c', `ulimit -n ${limit} 2>/dev/null; exec "$0" "$@"`, process.execPath, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${label} did not start:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
      if (/warn|error/i.test(d.toString()) && !/SERVICE_KEY/.test(d.toString()))
        process.stderr.write(`[${label}] ${d.toString()}`);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited with ${code}:\n${out}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    url,
    port: Number(new URL(url).port),
    rss: () => (child.pid === undefined ? 0 : rssOf(child.pid)),
    cpuMs: () => (child.pid === undefined ? 0 : cpuMsOf(child.pid)),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Starts `confide start` on a free port against `dataDir` (or PostgreSQL). */
export async function startHub(options: HubProcessOptions): Promise<ServerProcess> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsc -b\` first (npm run bench does)`);
  // Extra V8 flags for experiments (e.g. BENCH_HUB_NODE_ARGS="--max-semi-space-size=32").
  const nodeArgs: string[] = (process.env['BENCH_HUB_NODE_ARGS'] ?? '').split(/\s+/).filter((a) => a !== '');
  if (options.cpuProfileDir !== undefined) {
    fs.mkdirSync(options.cpuProfileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${path.resolve(options.cpuProfileDir)}`);
  }
  const args = [...nodeArgs, CLI, 'start', '--port', '0', '--data-dir', options.dataDir];
  if (options.databaseUrl !== undefined) args.push('--database-url', options.databaseUrl);
  return spawnServer(
    args,
    { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', ...options.env },
    /listening on (http:\/\/[^\s]+)/,
    'hub',
  );
}

export interface WriteStats {
  batches: number;
  jobs: number;
  /** Writes run again after a lost deadlock or serialization conflict. */
  retries: number;
  /** Group-commit transactions the hub keeps in flight at most (1 on SQLite). */
  concurrency: number;
}

/** Reads the hub's group-commit counters from /metrics. */
export async function writeStats(hubUrl: string): Promise<WriteStats> {
  const text = await (await fetch(`${hubUrl}/metrics`)).text();
  const read = (name: string, absent = 0) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? absent);
  return {
    batches: read('confide_write_batches_total'),
    jobs: read('confide_write_jobs_total'),
    retries: read('confide_write_retries_total'),
    concurrency: read('confide_write_concurrency', 1),
  };
}

/** What the hub committed between two readings. */
export function writesBetween(
  before: WriteStats,
  after: WriteStats,
): { batches: number; jobs: number; retries: number } {
  return {
    batches: after.batches - before.batches,
    jobs: after.jobs - before.jobs,
    retries: after.retries - before.retries,
  };
}

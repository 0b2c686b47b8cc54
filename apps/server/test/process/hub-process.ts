/** Starts a real hub process (`confide start`) on a data dir; resolves with its URL once listening. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export async function startHubProcess(
  dataDir: string,
  extraEnv: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string }> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  const child = spawn(process.execPath, [CLI, 'start', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: process.env['DEBUG_HUB'] ? 'info' : 'warn', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`hub did not start: ${out}`)), 15_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`hub exited with ${code}: ${out}`)));
  });
  // Surface a crash after start: a dead hub otherwise looks like a network error.
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGKILL' && signal !== 'SIGTERM')
      process.stderr.write(`hub process exited (${code ?? signal})\n`);
  });
  child.stderr?.on('data', (d: Buffer) => process.stderr.write(d));
  if (process.env['DEBUG_HUB']) child.stdout?.on('data', (d: Buffer) => process.stderr.write(d));
  return { child, url };
}

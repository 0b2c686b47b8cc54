/**
 * A crash of the SQLite writer thread is a crash of the hub: the process logs it and exits
 * non-zero instead of running on with every write failing. The thread is made to throw by a
 * test-only hook (CONFIDE_TEST_WRITER_CRASH_ON, read only when NODE_ENV=test) at the first
 * statement that stores a customer.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startHubProcess } from './hub-process.js';

describe('sqlite: the writer thread', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-writer-crash-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('takes the hub down with it when it dies', async () => {
    const { child, url } = await startHubProcess(dataDir, {
      SQLITE_WRITER_THREAD: 'true',
      CONFIDE_TEST_WRITER_CRASH_ON: 'insert into "customers"',
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // The hub answers until a write reaches the statement the hook breaks on.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const signup = await fetch(`${url}/api/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'crash', password: 'long enough secret' }),
    }).then(
      (res) => res.status,
      () => 'no answer',
    );
    expect(signup).not.toBe(201);
    expect(await exited).toBe(70);
    expect(out).toContain('the SQLite writer thread died');
  }, 30_000);

  it('is not there when SQLITE_WRITER_THREAD=0: the same hook does nothing', async () => {
    const { child, url } = await startHubProcess(dataDir, {
      SQLITE_WRITER_THREAD: '0',
      CONFIDE_TEST_WRITER_CRASH_ON: 'insert into "customers"',
    });
    const signup = await fetch(`${url}/api/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'nocrash', password: 'long enough secret' }),
    });
    expect(signup.status).toBe(201);
    const stopped = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await stopped).toBe(0);
  }, 30_000);
});

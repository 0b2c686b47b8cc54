/**
 * The privacy commands of the `confide` CLI against a real data folder: export, audit
 * verify (and its failure on a tampered record), customer delete.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../process/hub-process.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-privacy-cli-'));
const run = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args, '--data-dir', dataDir], {
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn' },
  });

describe('confide privacy commands', () => {
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('exports, verifies the audit log, names a tampered record, and deletes a customer', () => {
    expect(run('customer', 'create', '--username', 'alice', '--password', 'long enough secret', '--json').status).toBe(
      0,
    );
    const exported = run('export', '--customer', 'alice');
    expect(exported.status, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({
      format: 'confide-export-v1',
      profile: { username: 'alice' },
      conversations: [],
    });

    const verified = run('audit', 'verify', '--json');
    expect(verified.status, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true });
    expect(JSON.parse(verified.stdout).records).toBeGreaterThanOrEqual(1);
    // The keystore is a separate file: the database never holds a key.
    expect(fs.existsSync(path.join(dataDir, 'keys.db'))).toBe(true);

    const db = new SQLite(path.join(dataDir, 'confide.db'));
    db.prepare(`update audit_log set actor = 'someone-else' where seq = 1`).run();
    db.close();
    const broken = run('audit', 'verify', '--json');
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/broken at record 1\b/);

    const deleted = run('customer', 'delete', '--username', 'alice', '--json');
    expect(deleted.status, deleted.stderr).toBe(0);
    expect(JSON.parse(deleted.stdout)).toMatchObject({ conversations: 0 });
    const gone = run('export', '--customer', 'alice');
    expect(gone.status).toBe(1);
  }, 60_000);
});

/**
 * The installed `confide` command is a committed launcher (npm links bins at install time,
 * before any build): it must exist in git with its run bit and run the built CLI.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const serverDir = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(fs.readFileSync(`${serverDir}package.json`, 'utf8')) as { bin: Record<string, string> };

describe('the confide bin', () => {
  it('points at a committed, executable launcher outside dist/', () => {
    const bin = pkg.bin['confide'];
    expect(bin).toBe('./bin/confide.js');
    const tracked = execFileSync('git', ['ls-files', '-s', 'bin/confide.js'], { cwd: serverDir, encoding: 'utf8' });
    // 100755: committed with its run bit, so npm links it on a fresh clone.
    expect(tracked).toMatch(/^100755 /);
    expect(fs.readFileSync(`${serverDir}bin/confide.js`, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
  });

  it('runs the built CLI', () => {
    const out = spawnSync(`${serverDir}bin/confide.js`, ['--help'], { encoding: 'utf8' });
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('confide start');
  });
});

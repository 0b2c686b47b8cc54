/**
 * A clean install from the lockfile: every locked package admits the oldest Node the project
 * supports (else `npm ci` warns EBADENGINE), and every package with an install script is
 * reviewed in package.json's `allowScripts` (npm 11 warns about the others; later npm
 * versions skip their scripts, which would leave better-sqlite3 without its native addon).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface LockEntry {
  version?: string;
  link?: boolean;
  engines?: { node?: string } | string[];
  hasInstallScript?: boolean;
}

const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
  engines: { node: string };
  allowScripts?: Record<string, boolean>;
};
const lock = JSON.parse(readFileSync(`${ROOT}package-lock.json`, 'utf8')) as { packages: Record<string, LockEntry> };

/** `node_modules/a/node_modules/@s/b` → `@s/b`. */
function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

describe('the install', () => {
  const oldest = semver.minVersion(pkg.engines.node);

  it('supports Node from the declared minimum', () => {
    expect(oldest?.version).toBe('20.19.0');
  });

  it('locks only packages whose declared engines admit that Node (no EBADENGINE on npm ci)', () => {
    const refused: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (path === '' || entry.link === true || Array.isArray(entry.engines)) continue;
      const range = entry.engines?.node;
      if (range === undefined) continue;
      // Both ends of the supported range: the oldest Node 20 and the Node 20 in use here.
      for (const node of [oldest?.version ?? '20.19.0', process.versions.node]) {
        if (!semver.satisfies(node, range, { includePrerelease: true }))
          refused.push(`${nameOf(path)}@${entry.version} wants node ${range} (not ${node})`);
      }
    }
    expect(refused).toEqual([]);
  });

  it('names every package with an install script in allowScripts', () => {
    const allowed = pkg.allowScripts ?? {};
    const unreviewed = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && entry.hasInstallScript === true)
      .map(([path]) => nameOf(path))
      .filter((name) => allowed[name] === undefined);
    expect(unreviewed).toEqual([]);
  });
});

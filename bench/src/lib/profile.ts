/**
 * Summarizes a V8 `.cpuprofile` (from `node --cpu-prof`): self time per function and per
 * module (npm package, server folder, or Node internals), highest first.
 */
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  pct: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  functions: SelfTime[];
  modules: SelfTime[];
}

function moduleOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  const server = /apps\/server\/dist\/(.+?)\/[^/]+\.js$/.exec(url) ?? /apps\/server\/dist\/([^/]+)\.js$/.exec(url);
  if (server?.[1]) return `server/${server[1]}`;
  const pkgs = /packages\/([^/]+)\//.exec(url);
  if (pkgs?.[1]) return `@confide/${pkgs[1]}`;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0] ?? ''}`;
  return url;
}

function shortUrl(url: string): string {
  return url.replace(/^file:\/\/.*?\/(node_modules|apps|packages)\//, '$1/').replace(/^node_modules\//, '');
}

export function summarizeProfile(file: string, top = 20): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const fnTime = new Map<string, number>();
  const modTime = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i] ?? -1);
    // The delta after a sample is the time spent where that sample landed.
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (node === undefined) continue;
    total += dt;
    const { functionName, url, lineNumber } = node.callFrame;
    const fn = `${functionName || '(anonymous)'}${url ? ` ${shortUrl(url)}:${lineNumber + 1}` : ''}`;
    fnTime.set(fn, (fnTime.get(fn) ?? 0) + dt);
    const mod = moduleOf(url, functionName);
    modTime.set(mod, (modTime.get(mod) ?? 0) + dt);
  }
  const rank = (m: Map<string, number>): SelfTime[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), pct: Math.round((1000 * ms) / total) / 10 }));
  return { file, totalMs: Math.round(total), functions: rank(fnTime), modules: rank(modTime) };
}

export function formatProfile(s: ProfileSummary, top = 15): string {
  const lines = [`CPU profile ${s.file} (${s.totalMs} ms sampled)`, '  top self time by function:'];
  for (const f of s.functions.slice(0, top))
    lines.push(`    ${f.pct.toFixed(1).padStart(5)}%  ${String(f.ms).padStart(6)} ms  ${f.name}`);
  lines.push('  by module:');
  for (const m of s.modules.slice(0, 12))
    lines.push(`    ${m.pct.toFixed(1).padStart(5)}%  ${String(m.ms).padStart(6)} ms  ${m.name}`);
  return lines.join('\n');
}

/** The newest `.cpuprofile` in a folder, if any. */
export function latestProfile(dir: string): string | undefined {
  if (!fs.existsSync(dir)) return undefined;
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => `${dir}/${f}`)
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  return files[0];
}

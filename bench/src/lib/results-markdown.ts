/**
 * The results as Markdown with what they were measured on: date, commit, machine, load and
 * the command. `--markdown FILE` writes it; a file holding the markers below (the README's
 * results section) gets only the part between them replaced.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { Machine } from './machine.js';
import { markdownTable, type Scored } from './table.js';

export const BEGIN = '<!-- bench:results -->';
export const END = '<!-- /bench:results -->';

export interface RunFacts {
  startedAt: number;
  seconds: number;
  machine: Machine;
  loadAverage: { start: number; end: number };
  /** What was run, as typed after `npm run bench --`. */
  args: string[];
  postgres: boolean;
}

/** The commit checked out, and whether the tree had changes besides it. */
export function commitOf(cwd: string): string {
  try {
    const git = (...a: string[]) => execFileSync('git', a, { cwd, encoding: 'utf8' }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return dirty ? `${head} + uncommitted changes` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export function resultsMarkdown(rows: Scored[], facts: RunFacts, commit: string): string {
  const m = facts.machine;
  const date = new Date(facts.startedAt).toISOString().slice(0, 16).replace('T', ' ');
  const command = ['npm run bench', ...(facts.args.length > 0 ? ['--', ...facts.args] : [])].join(' ');
  return [
    `\`${command}\` — ${date} UTC, commit \`${commit}\`, ${Math.round(facts.seconds)} s, ${facts.postgres ? 'every scenario on PostgreSQL' : 'embedded SQLite (send-api-pg on PostgreSQL)'}.`,
    `Machine: ${m.nproc} × ${m.cpu}, ${m.memoryGb} GB, ${m.platform}, Node ${m.node}; ` +
      `load average ${facts.loadAverage.start.toFixed(1)} at the start, ${facts.loadAverage.end.toFixed(1)} at the end.`,
    '',
    markdownTable(rows),
  ].join('\n');
}

/** Writes `body` to `file`, or between the markers when the file has them, each on a line of its own. */
export function writeResultsMarkdown(file: string, body: string): 'section' | 'file' {
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const lines = current.split('\n');
  const from = lines.indexOf(BEGIN);
  const to = lines.indexOf(END, from + 1);
  if (from >= 0 && to > from) {
    fs.writeFileSync(file, [...lines.slice(0, from + 1), body, ...lines.slice(to)].join('\n'));
    return 'section';
  }
  fs.writeFileSync(file, `${body}\n`);
  return 'file';
}

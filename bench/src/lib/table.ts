/** The results table, as aligned text for the terminal and as Markdown for the README. */
import type { Row } from '../scenarios/types.js';

export interface Scored extends Row {
  pass: boolean | null;
  ratio: number | null;
  floorRatio: number | null;
}

export function score(row: Row): Scored {
  const pass =
    row.target === null
      ? null
      : row.target.op === '>='
        ? row.measured >= row.target.value
        : row.measured <= row.target.value;
  const ratio = row.reference === null || row.reference === 0 ? null : row.measured / row.reference;
  const floorRatio = row.floor === undefined || row.floor === null || row.floor === 0 ? null : row.measured / row.floor;
  return { ...row, pass, ratio, floorRatio };
}

const num = (n: number): string =>
  Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : String(Math.round(n * 100) / 100);

function cells(r: Scored): string[] {
  return [
    r.scenario,
    r.metric,
    `${num(r.measured)} ${r.unit}`,
    r.target === null ? '—' : `${r.target.op} ${num(r.target.value)} ${r.unit}`,
    r.pass === null ? '—' : r.pass ? 'PASS' : 'FAIL',
    r.reference === null ? '—' : `${num(r.reference)} ${r.unit}`,
    r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`,
    r.floor === undefined || r.floor === null ? '—' : `${num(r.floor)} ${r.unit}`,
    r.floorRatio === null ? '—' : `${r.floorRatio.toFixed(2)}×`,
    r.note ?? '',
  ];
}

const HEAD = [
  'scenario',
  'metric',
  'measured',
  'target',
  'pass',
  'bare reference',
  'ratio',
  'storage floor',
  'ratio to floor',
  'notes',
];

export function textTable(rows: Scored[]): string {
  const all = [HEAD, ...rows.map(cells)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => line(cells(r)))].join('\n');
}

export function markdownTable(rows: Scored[]): string {
  const esc = (s: string) => s.replaceAll('|', '\\|');
  return [
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${cells(r).map(esc).join(' | ')} |`),
  ].join('\n');
}

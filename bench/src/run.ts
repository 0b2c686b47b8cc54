/**
 * `npm run bench [-- NAME… ] [--postgres] [--nats] [--profile] [--duration SEC] [--warmup SEC] [--soak SEC]
 *  [--markdown FILE] [--list]`
 *
 * Starts a real hub process per scenario (embedded SQLite in a temp dir by default,
 * a fresh PostgreSQL schema with --postgres), drives it over loopback from separate
 * load-generator processes, measures the bare references in the same run, prints the
 * table and writes bench/results/<date>.json (and, with --markdown, the table with date, commit and machine).
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { killAllServers } from './lib/hub-process.js';
import { describeMachine, loadAverage } from './lib/machine.js';
import { liveDataDirs, postgresAvailable } from './lib/seed.js';
import { commitOf, resultsMarkdown, writeResultsMarkdown } from './lib/results-markdown.js';
import { markdownTable, score, textTable, type Scored } from './lib/table.js';
import { SCENARIOS } from './scenarios/index.js';
import type { RunContext, ScenarioOutcome } from './scenarios/types.js';

const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    postgres: { type: 'boolean', default: false },
    /** The hub's bus on NATS (BENCH_NATS_URL, default nats://127.0.0.1:4222) instead of in process. */
    nats: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    soak: { type: 'string', default: '300' },
    'max-connections': { type: 'string' },
    /** Before each scenario, wait (up to 5 minutes) for the 1-minute load average to drop below this. */
    quiet: { type: 'string' },
    /** Also write the table with date, commit and machine here (between the README's markers, if it has them). */
    markdown: { type: 'string' },
    list: { type: 'boolean', default: false },
  },
});

// ws-idle and fanout read the cap from the environment (quick runs).
if (values['max-connections'] !== undefined) process.env['BENCH_MAX_CONNECTIONS'] = values['max-connections'];

if (values.list) {
  for (const s of SCENARIOS)
    process.stdout.write(
      `${s.name.padEnd(14)} ${s.byDefault ? '(default) ' : '          '}${s.description}${s.unavailable() ? ` [unavailable: ${s.unavailable()}]` : ''}\n`,
    );
  process.exit(0);
}

const unknown = positionals.filter((p) => !SCENARIOS.some((s) => s.name === p));
if (unknown.length > 0) {
  process.stderr.write(
    `Unknown scenario(s): ${unknown.join(', ')}. Known: ${SCENARIOS.map((s) => s.name).join(', ')}\n`,
  );
  process.exit(2);
}
const selected =
  positionals.length > 0 ? SCENARIOS.filter((s) => positionals.includes(s.name)) : SCENARIOS.filter((s) => s.byDefault);

const stamp = new Date().toISOString().replace(/\..+$/, '').replaceAll(':', '-');
const startedAt = Date.now();
const log = (m: string) => process.stdout.write(`${m}\n`);
const references = new Map<string, Promise<unknown>>();
const ctx: RunContext = {
  postgres: values.postgres,
  natsUrl: values.nats ? (process.env['BENCH_NATS_URL'] ?? 'nats://127.0.0.1:4222') : undefined,
  durationMs: Number(values.duration) * 1000,
  warmupMs: Number(values.warmup) * 1000,
  soakMs: Number(values.soak) * 1000,
  profileDir: values.profile ? `${RESULTS}profiles/${stamp}` : undefined,
  log,
  reference<T>(key: string, measure: () => Promise<T>): Promise<T> {
    let p = references.get(key);
    if (p === undefined) {
      p = measure();
      references.set(key, p);
    }
    return p as Promise<T>;
  },
  previous: new Map<string, ScenarioOutcome>(),
};

if (ctx.postgres && !(await postgresAvailable())) {
  process.stderr.write('--postgres: PostgreSQL is not reachable (set BENCH_DATABASE_URL)\n');
  process.exit(2);
}

// An interrupted run leaves no hub process or temp dir behind (PostgreSQL schemas are named bench_*).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllServers();
    for (const dir of liveDataDirs) fs.rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  });
}

const machine = describeMachine();
log(
  `Confide bench ${stamp} — ${machine.nproc} × ${machine.cpu}, ${machine.memoryGb} GB, Node ${machine.node}, ${ctx.postgres ? 'PostgreSQL' : 'embedded SQLite'}${ctx.natsUrl === undefined ? '' : ', bus on NATS'}`,
);
const loadAtStart = loadAverage();
if (loadAtStart > machine.nproc / 2) {
  log(
    `WARNING: load average ${loadAtStart.toFixed(1)} on ${machine.nproc} CPUs: other work on this machine lowers every number.`,
  );
}
const rows: Scored[] = [];
const outcomes: Record<string, unknown> = {};
for (const scenario of selected) {
  const why = scenario.unavailable();
  if (why !== null) {
    log(`\n▶ ${scenario.name}: skipped (${why})`);
    outcomes[scenario.name] = { skipped: why };
    continue;
  }
  if (values.quiet !== undefined) await waitForQuiet(Number(values.quiet));
  log(`\n▶ ${scenario.name}: ${scenario.description} (load average ${loadAverage().toFixed(1)})`);
  const t0 = Date.now();
  try {
    const outcome = await scenario.run(ctx);
    ctx.previous.set(scenario.name, outcome);
    const scored = outcome.rows.map(score);
    rows.push(...scored);
    outcomes[scenario.name] = {
      ...outcome,
      rows: scored,
      seconds: (Date.now() - t0) / 1000,
      loadAverageAfter: loadAverage(),
    };
    log(textTable(scored));
  } catch (err) {
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    log(`  FAILED: ${message}`);
    outcomes[scenario.name] = { error: message };
  }
}

log(`\nResults (${Math.round((Date.now() - startedAt) / 1000)} s)`);
log(textTable(rows));
fs.mkdirSync(RESULTS, { recursive: true });
const file = `${RESULTS}${stamp}.json`;
const body = {
  date: new Date(startedAt).toISOString(),
  machine,
  loadAverage: { start: loadAtStart, end: loadAverage() },
  options: { ...values, scenarios: selected.map((s) => s.name) },
  rows,
  outcomes,
};
fs.writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
fs.writeFileSync(`${RESULTS}latest.md`, `${markdownTable(rows)}\n`);
log(`\nWrote ${file} and ${RESULTS}latest.md`);
if (values.markdown !== undefined) {
  const facts = {
    startedAt,
    seconds: (Date.now() - startedAt) / 1000,
    machine,
    loadAverage: body.loadAverage,
    args: process.argv.slice(2),
    postgres: ctx.postgres,
  };
  const where = writeResultsMarkdown(values.markdown, resultsMarkdown(rows, facts, commitOf(process.cwd())));
  log(`Wrote the results ${where === 'section' ? 'section of' : 'to'} ${values.markdown}`);
}
const failedRuns = Object.values(outcomes).some((o) => typeof o === 'object' && o !== null && 'error' in o);
process.exit(failedRuns ? 1 : 0);

async function waitForQuiet(threshold: number): Promise<void> {
  const until = Date.now() + 5 * 60_000;
  if (loadAverage() >= threshold)
    log(`  waiting for the load average (${loadAverage().toFixed(1)}) to drop below ${threshold}…`);
  while (loadAverage() >= threshold && Date.now() < until) await new Promise((r) => setTimeout(r, 5_000));
}

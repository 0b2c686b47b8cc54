/**
 * What the hub's PostgreSQL backends do during a load, measured from PostgreSQL itself: the
 * hub connects with its own `application_name`, and a separate connection samples
 * `pg_stat_activity` for those backends every 50 ms (state and wait event: idle
 * in transaction waiting for the hub, running, waiting for a row lock or for the WAL fsync),
 * and reads each backend's CPU time from /proc (PostgreSQL runs on this machine). With
 * the hub's own CPU, this says where a committed write's time goes.
 */
import fs from 'node:fs';
import pg from 'pg';
import { PG_URL } from './seed.js';

/** `application_name` of the bench's hub process on PostgreSQL (its environment sets PGAPPNAME, which pg reads). */
export const HUB_APPLICATION_NAME = 'confide-bench-hub';

export interface PgActivity {
  samples: number;
  /** Backends seen (pool connections of the hub, keystore included). */
  backends: number;
  /**
   * Where the busy backends were, as a share of (sample × backend) not plain idle, in percent:
   * e.g. `idle in transaction: Client/ClientRead` (a transaction waiting for the hub's next
   * statement), `active: on CPU`, `active: Lock/transactionid`, `active: IO/WALSync`.
   */
  states: Record<string, number>;
  /** Average number of hub backends busy (not plain idle) at a sample. */
  busyBackends: number;
  /** CPU of the hub's backends over the window, as a share of one core. */
  backendCpuPct: number;
  backendCpuMs: number;
  /** Commits in the whole database cluster over the window (other users included). */
  clusterCommits: number;
  /** WAL fsyncs of the cluster over the window (pg_stat_wal). */
  walSyncs: number;
}

export interface PgSampler {
  stop(): Promise<PgActivity>;
}

const CLK_TCK = 100;

function cpuTicks(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** Starts sampling the hub's backends every `everyMs`; `stop()` returns the summary. */
export async function samplePgActivity(everyMs = 50): Promise<PgSampler> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  const counters = async () => {
    const r = await client.query<{ commits: string; syncs: string }>(
      `select (select sum(xact_commit) from pg_stat_database)::text as commits, (select wal_sync from pg_stat_wal)::text as syncs`,
    );
    return { commits: Number(r.rows[0]?.commits ?? 0), syncs: Number(r.rows[0]?.syncs ?? 0) };
  };
  const start = await counters();
  const t0 = Date.now();
  const cpu = new Map<number, { first: number; last: number }>();
  const states = new Map<string, number>();
  let samples = 0;
  let busy = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const r = await client.query<{
        pid: number;
        state: string | null;
        wait_event_type: string | null;
        wait_event: string | null;
      }>('select pid, state, wait_event_type, wait_event from pg_stat_activity where application_name = $1', [
        HUB_APPLICATION_NAME,
      ]);
      samples += 1;
      for (const row of r.rows) {
        const state = row.state ?? 'unknown';
        if (state !== 'idle') {
          busy += 1;
          const key =
            row.wait_event === null ? `${state}: on CPU` : `${state}: ${row.wait_event_type}/${row.wait_event}`;
          states.set(key, (states.get(key) ?? 0) + 1);
        }
        const ticks = cpuTicks(row.pid);
        if (ticks === undefined) continue;
        const known = cpu.get(row.pid);
        if (known === undefined) cpu.set(row.pid, { first: ticks, last: ticks });
        else known.last = ticks;
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      const elapsed = Date.now() - t0;
      const end = await counters();
      await client.end();
      let ticks = 0;
      for (const c of cpu.values()) ticks += c.last - c.first;
      const backendCpuMs = (ticks * 1000) / CLK_TCK;
      const share: Record<string, number> = {};
      for (const [key, n] of [...states.entries()].sort((a, b) => b[1] - a[1]))
        share[key] = Math.round((1000 * n) / Math.max(1, busy)) / 10;
      return {
        samples,
        backends: cpu.size,
        states: share,
        busyBackends: Math.round((100 * busy) / Math.max(1, samples)) / 100,
        backendCpuPct: Math.round((1000 * backendCpuMs) / Math.max(1, elapsed)) / 10,
        backendCpuMs,
        clusterCommits: end.commits - start.commits,
        walSyncs: end.syncs - start.syncs,
      };
    },
  };
}

/** The top states as one short note, e.g. `idle in transaction: Client/ClientRead 61%`. */
export function activityNote(a: PgActivity, top = 3): string {
  const states = Object.entries(a.states)
    .slice(0, top)
    .map(([k, v]) => `${k} ${v}%`)
    .join(', ');
  return `PG backends CPU ${Math.round(a.backendCpuPct)}%, ${a.busyBackends} busy of ${a.backends}: ${states}`;
}

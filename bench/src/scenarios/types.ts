/** What a scenario is and what it reports. */

export interface Target {
  op: '>=' | '<=';
  value: number;
}

/** One line of the results table. */
export interface Row {
  scenario: string;
  metric: string;
  unit: string;
  measured: number;
  target: Target | null;
  /** The same metric measured on the bare reference in this run. */
  reference: number | null;
  /** The same metric on the storage floor (lib/storage-floor.ts) in this run, where one applies. */
  floor?: number | null;
  note?: string;
}

export interface ScenarioOutcome {
  rows: Row[];
  /** Everything else worth keeping in the JSON results. */
  details: Record<string, unknown>;
}

export interface RunContext {
  postgres: boolean;
  /** When set, the hub's bus runs on this NATS server (one subject prefix per hub). */
  natsUrl: string | undefined;
  /** Measured window and warm-up of throughput runs, in milliseconds. */
  durationMs: number;
  warmupMs: number;
  /** Length of the soak scenario, in milliseconds (5 minutes unless --soak SEC). */
  soakMs: number;
  /** When set, the hub runs with `--cpu-prof` and profiles land here (one folder per scenario). */
  profileDir: string | undefined;
  log(message: string): void;
  /** Runs a reference measurement once per bench run and reuses its result. */
  reference<T>(key: string, measure: () => Promise<T>): Promise<T>;
  /** Results of scenarios that already ran (soak reads send throughput from them). */
  previous: Map<string, ScenarioOutcome>;
}

export interface Scenario {
  name: string;
  description: string;
  /** Part of `npm run bench` without names. */
  byDefault: boolean;
  /** Why the scenario cannot run in this tree, or null when it can. */
  unavailable(): string | null;
  run(ctx: RunContext): Promise<ScenarioOutcome>;
}

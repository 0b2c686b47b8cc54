/** Runs one scenario body against a hub process, with optional CPU profiling. */
import path from 'node:path';
import { startHub, type ServerProcess } from './hub-process.js';
import { formatProfile, latestProfile, summarizeProfile, type ProfileSummary } from './profile.js';
import type { Store } from './seed.js';
import type { RunContext } from '../scenarios/types.js';

export interface HubRun<T> {
  result: T;
  profile?: ProfileSummary;
}

export async function withHub<T>(
  ctx: RunContext,
  scenario: string,
  store: Store,
  fn: (hub: ServerProcess) => Promise<T>,
  env: Record<string, string> = {},
): Promise<HubRun<T>> {
  const cpuProfileDir = ctx.profileDir === undefined ? undefined : path.join(ctx.profileDir, scenario);
  const bus: Record<string, string> =
    ctx.natsUrl === undefined
      ? {}
      : { NATS_URL: ctx.natsUrl, NATS_SUBJECT_PREFIX: `bench_${process.pid}_${Date.now()}` };
  const hub = await startHub({
    dataDir: store.dataDir,
    databaseUrl: store.databaseUrl,
    env: { ...bus, ...env },
    cpuProfileDir,
  });
  let result: T;
  try {
    result = await fn(hub);
  } finally {
    await hub.stop();
  }
  if (cpuProfileDir === undefined) return { result };
  const file = latestProfile(cpuProfileDir);
  if (file === undefined) return { result };
  const profile = summarizeProfile(file, 30);
  ctx.log(formatProfile(profile));
  return { result, profile };
}

/** ws://… form of a hub URL. */
export const wsUrl = (hub: ServerProcess, pathname: string): string => `${hub.url.replace(/^http/, 'ws')}${pathname}`;

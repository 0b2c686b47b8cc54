/** What the numbers were measured on. */
import fs from 'node:fs';
import os from 'node:os';

export interface Machine {
  nproc: number;
  cpu: string;
  memoryGb: number;
  node: string;
  platform: string;
}

export function describeMachine(): Machine {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) cpu = m[1].trim();
  } catch {
    // Not Linux: keep os.cpus().
  }
  return {
    nproc: os.availableParallelism(),
    cpu,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

/** Resident set size of a process in bytes, read from /proc (Linux). */
export function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  return m?.[1] ? Number(m[1]) * 1024 : 0;
}

/** The hard limit on open files this process may raise its soft limit to. */
export function hardFileLimit(): number {
  try {
    const limits = fs.readFileSync('/proc/self/limits', 'utf8');
    const m = /^Max open files\s+\d+\s+(\d+|unlimited)/m.exec(limits);
    if (m?.[1]) return m[1] === 'unlimited' ? 1_048_576 : Number(m[1]);
  } catch {
    // Fall through.
  }
  return 1024;
}

/** CPU time (user + system) a process has used, in milliseconds (Linux, 100 Hz ticks). */
export function cpuMsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The 1-minute load average; other work on the machine skews every number. */
export const loadAverage = (): number => os.loadavg()[0] ?? 0;

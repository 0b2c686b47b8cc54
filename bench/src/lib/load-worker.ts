/** The runner's handle on a load-generator child process (bench/dist/load/worker.js). */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Job, JobResults } from '../load/jobs.js';

const WORKER = fileURLToPath(new URL('../load/worker.js', import.meta.url));

export class LoadWorker {
  readonly #child: ChildProcess;
  #next = 0;
  readonly #calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor() {
    this.#child = fork(WORKER, [], {
      execArgv: ['--max-old-space-size=4096'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child.on('message', (msg: { id: number; result?: unknown; error?: string }) => {
      const call = this.#calls.get(msg.id);
      this.#calls.delete(msg.id);
      if (msg.error !== undefined) call?.reject(new Error(msg.error));
      else call?.resolve(msg.result);
    });
    this.#child.once('exit', (code) => {
      for (const c of this.#calls.values()) c.reject(new Error(`load worker exited with ${code}`));
      this.#calls.clear();
    });
  }

  get pid(): number {
    return this.#child.pid ?? 0;
  }

  run<J extends Job>(job: J): Promise<JobResults[J['kind']]> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#calls.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#child.send({ id, job });
    });
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.#child.once('exit', () => r()));
    this.#child.disconnect();
    await exited;
  }
}

/** Runs `fn` with `n` workers and always stops them. */
export async function withWorkers<T>(n: number, fn: (workers: LoadWorker[]) => Promise<T>): Promise<T> {
  const workers = Array.from({ length: n }, () => new LoadWorker());
  try {
    return await fn(workers);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

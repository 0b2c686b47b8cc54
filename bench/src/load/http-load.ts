/** Closed- or open-loop HTTP load over keep-alive connections, with latency samples. */
import { performance } from 'node:perf_hooks';
import { Samples, summarize } from '../lib/stats.js';
import { encodeRequest, HttpConnection } from './http-client.js';
import type { HttpLoadJob, HttpLoadResult } from './jobs.js';

/** When each sequence number was written and acknowledged (ws-latency). */
export const acks = new Map<number, { sent: number; ack: number }>();

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runHttpLoad(job: HttpLoadJob): Promise<HttpLoadResult> {
  const host = `127.0.0.1:${job.port}`;
  const addresses = job.localAddresses ?? [];
  const conns = await Promise.all(
    Array.from({ length: job.connections }, (_, i) =>
      HttpConnection.connect(job.port, '127.0.0.1', addresses.length ? addresses[i % addresses.length] : undefined),
    ),
  );
  const samples = new Samples();
  const statuses: Record<string, number> = {};
  let ok = 0;
  let messages = 0;
  let requests = 0;
  let errors = 0;
  let firstError: string | undefined;
  let seq = 0;

  const start = performance.now();
  const measureFrom = start + job.warmupMs;
  const end = measureFrom + job.durationMs;
  const interval = job.rate === undefined ? 0 : (job.connections / job.rate) * 1000;

  const worker = async (i: number): Promise<void> => {
    const conn = conns[i] as HttpConnection;
    const spec = job.requests[i % job.requests.length];
    if (spec === undefined) throw new Error('no request spec');
    const templated = spec.body?.includes('$SEQ') ?? false;
    const body = spec.body?.replaceAll('$CONN', String(i));
    const fixed = templated ? null : encodeRequest(spec, host, body);
    let scheduled = start + (interval * i) / job.connections;
    for (;;) {
      let now = performance.now();
      if (interval > 0) {
        if (scheduled > now) await sleep(scheduled - now);
        now = performance.now();
      }
      if (now >= end) return;
      const n = seq++;
      const bytes = fixed ?? encodeRequest(spec, host, body?.replaceAll('$SEQ', String(n)));
      const t0 = interval > 0 ? Math.min(scheduled, now) : now;
      const sent = performance.now();
      try {
        const res = await conn.request(bytes);
        const done = performance.now();
        // By the actual send time: an overloaded open loop runs behind its schedule.
        if (job.trackAcks && sent >= measureFrom) acks.set(n, { sent, ack: done });
        // Counted by completion inside the window, so slow requests (batches) still count.
        if (done >= measureFrom && done <= end) {
          requests += 1;
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (res.status === job.okStatus) {
            ok += 1;
            messages +=
              job.countInBody === undefined
                ? (job.messagesPerRequest ?? 1)
                : countOf(res.body.toString(), job.countInBody);
            samples.push(done - t0);
          } else if (firstError === undefined) firstError = `${res.status} ${res.body.toString().slice(0, 300)}`;
        }
      } catch (err) {
        errors += 1;
        firstError ??= String(err);
        return;
      }
      scheduled += interval;
    }
  };
  await Promise.all(conns.map((_, i) => worker(i)));
  for (const c of conns) c.close();
  const seconds = job.durationMs / 1000;
  const rps = ok / seconds;
  return {
    requests,
    ok,
    errors,
    statuses,
    seconds,
    rps,
    mps: messages / seconds,
    messages,
    latency: summarize(samples.values()),
    ...(firstError === undefined ? {} : { firstError }),
  };
}

function countOf(text: string, needle: string): number {
  let n = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) n += 1;
  return n;
}

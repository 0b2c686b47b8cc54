/** Sends a fixed list of requests, each exactly once, over keep-alive connections. */
import { performance } from 'node:perf_hooks';
import { encodeRequest, HttpConnection } from './http-client.js';
import type { HttpSendAllJob, HttpSendAllResult } from './jobs.js';

export async function sendAll(job: HttpSendAllJob): Promise<HttpSendAllResult> {
  const host = `127.0.0.1:${job.port}`;
  const encoded = job.requests.map((r) => encodeRequest(r, host, r.body));
  const conns = await Promise.all(
    Array.from({ length: Math.min(job.connections, encoded.length) }, () => HttpConnection.connect(job.port)),
  );
  let next = 0;
  let ok = 0;
  let failed = 0;
  let firstError: string | undefined;
  const startedAt = performance.timeOrigin + performance.now();
  const deadline = startedAt + (job.deadlineMs ?? Infinity);
  await Promise.all(
    conns.map(async (conn) => {
      while (next < encoded.length && performance.timeOrigin + performance.now() < deadline) {
        const bytes = encoded[next++] as Buffer;
        try {
          const res = await conn.request(bytes);
          if (res.status === job.okStatus) ok += 1;
          else {
            failed += 1;
            firstError ??= `${res.status} ${res.body.toString().slice(0, 300)}`;
          }
        } catch (err) {
          failed += 1;
          firstError ??= String(err);
          return;
        }
      }
    }),
  );
  const endedAt = performance.timeOrigin + performance.now();
  for (const c of conns) c.close();
  return {
    ok,
    failed,
    unsent: encoded.length - next,
    startedAt,
    endedAt,
    ...(firstError === undefined ? {} : { firstError }),
  };
}

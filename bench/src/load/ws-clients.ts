/**
 * Many customer WebSocket clients in one process: opened with bounded concurrency from
 * several source addresses (127.0.0.x, so the ephemeral ports of one address are not
 * exhausted), counting message frames and, when asked, their arrival times.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { WsOpenJob, WsOpenResult, WsStatsResult } from './jobs.js';

/** Arrival time of each message frame whose text ends in `#<seq>`. */
export const frameTimes = new Map<number, number>();

const sockets: WebSocket[] = [];
let closedByServer = 0;
let messageFrames = 0;
let firstMessageAt = 0;
let lastMessageAt = 0;
let outOfOrder = 0;
let waiters: Array<() => void> = [];

const SEQ = /#(\d+)$/;

function onFrame(data: WebSocket.RawData, lastSeq: { n: number }, track: boolean): void {
  const text = data.toString();
  // Cheap pre-check: only message frames are parsed.
  if (!text.startsWith('{"type":"message"')) return;
  const now = performance.now();
  const epoch = performance.timeOrigin + now;
  messageFrames += 1;
  if (firstMessageAt === 0) firstMessageAt = epoch;
  lastMessageAt = epoch;
  const frame = JSON.parse(text) as { message?: { body?: { text?: string } } };
  const m = SEQ.exec(frame.message?.body?.text ?? '');
  if (m?.[1] !== undefined) {
    const n = Number(m[1]);
    if (n < lastSeq.n) outOfOrder += 1;
    lastSeq.n = n;
    if (track) frameTimes.set(n, now);
  }
  if (waiters.length > 0) for (const w of waiters.splice(0)) w();
}

function openOne(
  url: string,
  headers: Record<string, string>,
  localAddress: string | undefined,
  waitReady: boolean,
  track: boolean,
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {
      headers,
      perMessageDeflate: false,
      ...(localAddress === undefined ? {} : { localAddress }),
    });
    const lastSeq = { n: -1 };
    let settled = false;
    ws.on('message', (data) => {
      if (!settled && waitReady && data.toString().startsWith('{"type":"ready"')) {
        settled = true;
        resolve(ws);
        return;
      }
      onFrame(data, lastSeq, track);
    });
    ws.once('open', () => {
      if (!waitReady) {
        settled = true;
        resolve(ws);
      }
    });
    ws.once('error', (err) => {
      if (!settled) reject(err);
    });
    ws.once('unexpected-response', (_req, res) => {
      settled = true;
      reject(new Error(`upgrade refused: ${res.statusCode}`));
    });
    ws.once('close', () => {
      if (settled) closedByServer += 1;
    });
  });
}

export async function openClients(job: WsOpenJob): Promise<WsOpenResult> {
  const started = performance.now();
  let next = 0;
  let opened = 0;
  let failed = 0;
  let firstError: string | undefined;
  const addresses = job.localAddresses ?? [];
  const lane = async (): Promise<void> => {
    while (next < job.clients.length) {
      const i = next++;
      const c = job.clients[i] ?? {};
      const headers: Record<string, string> = c.cookie === undefined ? {} : { cookie: c.cookie };
      try {
        const url = c.query === undefined ? job.url : `${job.url}?${c.query}`;
        sockets.push(
          await openOne(
            url,
            headers,
            addresses.length ? addresses[i % addresses.length] : undefined,
            job.waitReady,
            job.track ?? false,
          ),
        );
        opened += 1;
      } catch (err) {
        failed += 1;
        firstError ??= String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(job.concurrency, job.clients.length) }, lane));
  return { opened, failed, ms: performance.now() - started, ...(firstError === undefined ? {} : { firstError }) };
}

export function stats(): WsStatsResult {
  return {
    open: sockets.filter((s) => s.readyState === WebSocket.OPEN).length,
    closedByServer,
    messageFrames,
    firstMessageAt,
    lastMessageAt,
    outOfOrder,
  };
}

export async function waitForMessages(total: number, timeoutMs: number): Promise<WsStatsResult> {
  const deadline = performance.now() + timeoutMs;
  while (messageFrames < total && performance.now() < deadline) {
    await new Promise<void>((r) => {
      waiters.push(r);
      setTimeout(r, 50);
    });
  }
  return stats();
}

export async function closeAll(): Promise<{ closed: number }> {
  const n = sockets.length;
  for (const s of sockets.splice(0)) s.terminate();
  waiters = [];
  return { closed: n };
}

/**
 * A load-generator process: runs jobs sent by the bench runner over IPC and answers
 * with their results. Kept apart from the hub and from the runner so neither shares
 * its event loop with the load.
 */
import { performance } from 'node:perf_hooks';
import { summarize } from '../lib/stats.js';
import { encodeRequest, HttpConnection } from './http-client.js';
import { acks, runHttpLoad } from './http-load.js';
import type { Job, LatencyReport } from './jobs.js';
import { sendAll } from './send-all.js';
import { receiverStats, startReceiver } from './webhook-receiver.js';
import { closeAll, frameTimes, openClients, stats, waitForMessages } from './ws-clients.js';

async function handle(job: Job): Promise<unknown> {
  switch (job.kind) {
    case 'http-load':
      return runHttpLoad(job);
    case 'ws-open':
      return openClients(job);
    case 'ws-stats':
      return stats();
    case 'ws-wait':
      return waitForMessages(job.messageFrames, job.timeoutMs);
    case 'ws-close':
      return closeAll();
    case 'latency-report':
      return latencyReport();
    case 'http-send-all':
      return sendAll(job);
    case 'receiver-start':
      return startReceiver();
    case 'receiver-stats':
      return receiverStats();
    case 'http-once': {
      const conn = await HttpConnection.connect(job.port);
      const t0 = performance.now();
      const res = await conn.request(encodeRequest(job.request, `127.0.0.1:${job.port}`, job.request.body));
      const ms = performance.now() - t0;
      conn.close();
      return { status: res.status, body: res.body.toString(), ms };
    }
  }
}

function latencyReport(): LatencyReport {
  const ackToFrame: number[] = [];
  const sendToFrame: number[] = [];
  let missing = 0;
  let framesBeforeAck = 0;
  for (const [seq, { sent, ack }] of acks) {
    const at = frameTimes.get(seq);
    if (at === undefined) {
      missing += 1;
      continue;
    }
    if (at < ack) framesBeforeAck += 1;
    ackToFrame.push(Math.max(0, at - ack));
    sendToFrame.push(at - sent);
  }
  acks.clear();
  frameTimes.clear();
  return {
    matched: ackToFrame.length,
    missing,
    framesBeforeAck,
    ackToFrame: summarize(ackToFrame),
    sendToFrame: summarize(sendToFrame),
  };
}

process.on('message', (msg: { id: number; job: Job }) => {
  handle(msg.job).then(
    (result) => process.send?.({ id: msg.id, result }),
    (err: unknown) =>
      process.send?.({ id: msg.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));

/**
 * A local webhook receiver: answers 200 at once, counts `messaging[]` events and checks
 * that each sender's events arrive in order (their text ends in `#n`, n rising).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ReceiverStats } from './jobs.js';

const SEQ = /#(\d+)$/;
const last = new Map<string, number>();
const stats: ReceiverStats = { posts: 0, events: 0, outOfOrder: 0, senders: 0, firstAt: 0, lastAt: 0, largestBatch: 0 };

interface Body {
  entry?: Array<{ messaging?: Array<{ sender?: { id?: string }; message?: { text?: string } }> }>;
}

function record(body: Body): void {
  const at = performance.timeOrigin + performance.now();
  stats.posts += 1;
  if (stats.firstAt === 0) stats.firstAt = at;
  stats.lastAt = at;
  let inPost = 0;
  for (const entry of body.entry ?? []) {
    for (const event of entry.messaging ?? []) {
      inPost += 1;
      const sender = event.sender?.id ?? '';
      const n = Number(SEQ.exec(event.message?.text ?? '')?.[1] ?? -1);
      const previous = last.get(sender);
      if (previous !== undefined && n <= previous) stats.outOfOrder += 1;
      last.set(sender, n);
    }
  }
  stats.events += inPost;
  stats.largestBatch = Math.max(stats.largestBatch, inPost);
}

export function startReceiver(): Promise<{ url: string }> {
  const server = http.createServer({ keepAlive: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST') {
        try {
          record(JSON.parse(Buffer.concat(chunks).toString()) as Body);
        } catch {
          // Counted as a post without events.
        }
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
        res.end('OK');
        return;
      }
      // Subscription handshake: echo hub.challenge.
      const challenge = new URL(req.url ?? '/', 'http://x').searchParams.get('hub.challenge') ?? '';
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(challenge) });
      res.end(challenge);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      resolve({ url: `http://127.0.0.1:${port}/webhook` });
    });
  });
}

export function receiverStats(): ReceiverStats {
  return { ...stats, senders: last.size };
}

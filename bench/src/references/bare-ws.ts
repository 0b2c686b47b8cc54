/**
 * Reference: a bare `ws` server. Clients connect with `?id=N` and get a `ready` frame;
 * `POST /send/N` forwards `{text}` to client N as a message frame, and `POST /fanout`
 * sends a distinct frame to every client. No auth, no storage: the floor the hub's
 * real-time path is compared with.
 */
import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

const clients = new Map<string, WebSocket>();
let anonymous = 0;

const frame = (text: string) => JSON.stringify({ type: 'message', message: { body: { text } } });

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = chunks.length
      ? (JSON.parse(Buffer.concat(chunks).toString()) as { text?: string; prefix?: string })
      : {};
    let answer: unknown = {};
    if (req.url?.startsWith('/send/')) {
      clients.get(req.url.slice(6))?.send(frame(body.text ?? ''));
    } else if (req.url === '/fanout') {
      let i = 0;
      for (const ws of clients.values()) ws.send(frame(`${body.prefix ?? 'fanout'} #${i++}`));
      answer = { sent: i };
    }
    const out = JSON.stringify(answer);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
    res.end(out);
  });
});
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (ws, req) => {
  const id = new URL(req.url ?? '/', 'http://x').searchParams.get('id') ?? `a${anonymous++}`;
  clients.set(id, ws);
  ws.on('close', () => clients.delete(id));
  ws.send(JSON.stringify({ type: 'ready', cursor: 0 }));
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`reference listening on http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => {
  for (const ws of clients.values()) ws.terminate();
  server.close(() => process.exit(0));
});

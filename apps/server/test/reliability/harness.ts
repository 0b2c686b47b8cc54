/**
 * Process-level reliability harness: real hub processes (`dist/cli.js`), a real webhook
 * receiver on 127.0.0.1 that answers the verification handshake and records every
 * delivery, the CLI for pages, and small HTTP helpers. Loopback only.
 */
import { verifyWebhookSignature } from '@confide/protocol';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CLI } from '../process/hub-process.js';

export { startHubProcess } from '../process/hub-process.js';

export interface WebhookItem {
  sender: { id: string };
  recipient: { id: string };
  timestamp: number;
  message?: { mid: string; text?: string; is_echo?: boolean };
}

export interface Delivery {
  items: WebhookItem[];
  status: number;
  signed: boolean;
}

/** What the receiver answers to a POST: a status, possibly after waiting on a promise. */
export type Behaviour = (items: WebhookItem[]) => number | Promise<number>;

export interface Receiver {
  url: string;
  readonly verifyToken: string;
  deliveries: Delivery[];
  /** The app secret, once known (signatures are checked from then on). */
  appSecret: string | undefined;
  behave(b: Behaviour): void;
  /** Items of every POST answered 2xx, in arrival order. */
  accepted(): WebhookItem[];
  /** Requests received so far, answered or not. */
  received: number;
  /** Closes the port (connections refused) until `restart()`. */
  stop(): Promise<void>;
  restart(): Promise<void>;
  waitFor(predicate: () => boolean): Promise<void>;
}

/** A webhook receiver: answers `hub.challenge` for its verify token, records POSTs. */
export async function startReceiver(verifyToken = 'reliability-token'): Promise<Receiver> {
  let behave: Behaviour = () => 200;
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of waiters) w();
  };
  const sockets = new Set<Socket>();
  const receiver: Receiver = {
    url: '',
    verifyToken,
    deliveries: [],
    appSecret: undefined,
    received: 0,
    behave: (b) => void (behave = b),
    accepted: () => receiver.deliveries.filter((d) => d.status < 300).flatMap((d) => d.items),
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
    async restart() {
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    },
    async waitFor(predicate) {
      while (!predicate()) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          // Also look again now and then: the predicate may depend on state outside the receiver.
          const timer = setTimeout(wake, 50);
          waiters.add(wake);
        });
      }
    },
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET') {
      const ok =
        url.searchParams.get('hub.mode') === 'subscribe' && url.searchParams.get('hub.verify_token') === verifyToken;
      res.statusCode = ok ? 200 : 403;
      res.end(ok ? (url.searchParams.get('hub.challenge') ?? '') : 'bad token');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      receiver.received += 1;
      const raw = Buffer.concat(chunks);
      void (async () => {
        const body = JSON.parse(raw.toString('utf8')) as { entry: Array<{ messaging?: WebhookItem[] }> };
        const items = body.entry.flatMap((e) => e.messaging ?? []);
        const signed =
          receiver.appSecret === undefined
            ? true
            : (await verifyWebhookSignature(raw, req.headers, receiver.appSecret)).valid;
        const status = signed ? await behave(items) : 401;
        receiver.deliveries.push({ items, status, signed });
        res.statusCode = status;
        res.end(status < 300 ? 'EVENT_RECEIVED' : 'no');
        notify();
      })();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${port}/webhook`;
  return receiver;
}

/** Runs a `confide` CLI command to completion; resolves with stdout. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`confide ${args.join(' ')} exited ${code}: ${err}${out}`)),
    );
  });
}

export interface CreatedPage {
  page_id: string;
  app_id: string;
  app_secret: string;
  page_access_token: string;
}

/** `confide page create --json` with the receiver as its webhook (the CLI runs the handshake). */
export async function createPageWithWebhook(
  receiver: Receiver,
  name: string,
  dataArgs: string[],
  env: Record<string, string> = {},
): Promise<CreatedPage> {
  const out = await runCli(
    [
      'page',
      'create',
      '--name',
      name,
      '--category',
      'bank',
      '--json',
      '--webhook-url',
      receiver.url,
      '--verify-token',
      receiver.verifyToken,
      ...dataArgs,
    ],
    env,
  );
  const page = JSON.parse(out.trim().split('\n').at(-1) as string) as CreatedPage;
  receiver.appSecret = page.app_secret;
  return page;
}

export interface ApiResult {
  status: number;
  json: any;
  cookie?: string;
}

/** A JSON request; the Origin matches the hub (customer API same-origin check). */
export async function api(url: string, method: string, body?: unknown, cookie?: string): Promise<ApiResult> {
  const res = await fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(cookie ? { cookie } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const setCookie = res.headers.get('set-cookie');
  const text = await res.text();
  return {
    status: res.status,
    json: text ? JSON.parse(text) : undefined,
    ...(setCookie ? { cookie: setCookie.split(';')[0] as string } : {}),
  };
}

/** A customer with an open conversation to `pageId` who has written first (the 24-hour window is open). */
export async function customerWhoWrote(
  url: string,
  username: string,
  pageIds: string[],
): Promise<{ cookie: string; conversations: string[] }> {
  const signup = await api(`${url}/api/signup`, 'POST', { username, password: 'long enough secret' });
  if (signup.status !== 201) throw new Error(`signup: ${signup.status} ${JSON.stringify(signup.json)}`);
  const cookie = signup.cookie as string;
  const conversations: string[] = [];
  for (const pageId of pageIds) {
    const conv = await api(`${url}/api/conversations`, 'POST', { page_id: pageId }, cookie);
    if (conv.status !== 200) throw new Error(`open: ${conv.status}`);
    const hi = await api(`${url}/api/conversations/${conv.json.id}/messages`, 'POST', { text: 'hi' }, cookie);
    if (hi.status !== 201) throw new Error(`hi: ${hi.status}`);
    conversations.push(conv.json.id as string);
  }
  return { cookie, conversations };
}

/** The PSID the page knows the customer by, from the first `messages` webhook. */
export async function psidFrom(receiver: Receiver): Promise<string> {
  await receiver.waitFor(() => receiver.accepted().some((i) => i.message !== undefined && !i.message.is_echo));
  return (receiver.accepted().find((i) => i.message !== undefined && !i.message.is_echo) as WebhookItem).sender.id;
}

/** A Send API text message; resolves with the mid on success, undefined on any failure. */
export async function sendText(
  url: string,
  token: string,
  psid: string,
  text: string,
): Promise<{ status: number; mid?: string }> {
  const res = await api(`${url}/v25.0/me/messages?access_token=${token}`, 'POST', {
    recipient: { id: psid },
    messaging_type: 'RESPONSE',
    message: { text },
  });
  return res.status === 200 ? { status: 200, mid: res.json.message_id as string } : { status: res.status };
}

/** Mids in first-arrival order (a redelivery after a crash may repeat a batch). */
export function firstArrivals(items: WebhookItem[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const i of items) {
    const mid = i.message?.mid;
    if (mid !== undefined && !seen.has(mid)) {
      seen.add(mid);
      out.push(mid);
    }
  }
  return out;
}

/** Sends SIGTERM (or SIGKILL) and waits for the exit. */
export async function stopProcess(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

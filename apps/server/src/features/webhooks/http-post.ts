/**
 * The delivery POST on `node:http` / `node:https` with keep-alive agents: global `fetch`
 * (undici) cost about three times the CPU per POST. It keeps the rules of the fetch it
 * replaced: no redirect is followed (a 3xx is the answer), one deadline covers connecting,
 * the answer's headers and the read of its first characters, and at most `limit` characters
 * of the answer are read (the connection is dropped when there are more). Errors are shaped
 * as fetch's, so `describeFetchError` (http.ts) words them the same. Unlike fetch's pool, an
 * origin gets at most MAX_SOCKETS_PER_ORIGIN connections: a POST queued behind them starts its
 * deadline when it gets its socket, so a burst to one receiver is not failed for the wait (the
 * worker's lease, renewed while the POST waits, and `signal` bound the wait instead).
 */
import http from 'node:http';
import https from 'node:https';

/** Sockets per origin (the worker's default POSTs in flight: 64 apps × 4 batches). */
export const MAX_SOCKETS_PER_ORIGIN = 256;

/** Idle connections are closed after this long, or sooner when the receiver's `Keep-Alive: timeout` says so. */
const IDLE_MS = 4_000;

const agentOptions = {
  keepAlive: true,
  maxSockets: MAX_SOCKETS_PER_ORIGIN,
  timeout: IDLE_MS,
  scheduling: 'lifo',
} as const;
const httpAgent = new http.Agent(agentOptions);
const httpsAgent = new https.Agent(agentOptions);

export interface PostRequest {
  url: URL;
  /** The exact bytes to send (ASCII-escaped JSON, already signed). */
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Aborts the POST (the worker lost its lease on the batch). */
  signal?: AbortSignal | undefined;
  /** Characters of the answer to read at most. */
  limit: number;
}

export interface PostAnswer {
  status: number;
  /** The first characters of the answer (fewer when it broke off or the deadline passed). */
  snippet: string;
}

/**
 * Sends one POST and reads the start of its answer.
 * @throws an Error whose `cause` is the socket's error (`code` ECONNREFUSED, ECONNRESET,
 * ENOTFOUND, a TLS code…), or a `TimeoutError` / `AbortError` when the deadline passes or
 * `signal` aborts before the answer.
 */
export function sendPost({ url, body, headers, timeoutMs, signal, limit }: PostRequest): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(new DOMException('This operation was aborted', 'AbortError'));
    // As fetch: credentials in the URL are refused, never sent as Basic authentication.
    if (url.username !== '' || url.password !== '')
      return reject(new TypeError('a webhook URL must not include credentials'));
    const secure = url.protocol === 'https:';
    const req = (secure ? https : http).request(url, {
      method: 'POST',
      agent: secure ? httpsAgent : httpAgent,
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    });
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    // The deadline runs from the socket (reused, or connecting): not while queued for one.
    req.once('socket', () => {
      if (settled) return;
      timer = setTimeout(
        () => req.destroy(new DOMException(`no response within ${timeoutMs} ms`, 'TimeoutError')),
        timeoutMs,
      );
      // Like AbortSignal.timeout's, the deadline alone does not keep the process alive.
      timer.unref();
    });
    const onAbort = () => req.destroy(new DOMException('This operation was aborted', 'AbortError'));
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = () => {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    let answered = false;
    req.on('error', (err) => {
      // Once the status line is in, the outcome is the status: the read of the answer just ends.
      if (answered) return;
      settle();
      reject(err instanceof DOMException ? err : new Error('request failed', { cause: err }));
    });
    req.on('response', (res) => {
      answered = true;
      res.setEncoding('utf8');
      let text = '';
      const answer = () => {
        settle();
        resolve({ status: res.statusCode ?? 0, snippet: text.slice(0, limit) });
      };
      res.on('data', (chunk: string) => {
        text += chunk;
        if (text.length < limit) return;
        answer();
        res.destroy();
      });
      res.on('end', answer);
      // A body that breaks off after the status line does not change the outcome.
      res.on('error', answer);
      res.on('close', answer);
    });
    req.end(body);
  });
}

/**
 * The customer's live stream (`/api/stream`). Keeps the last cursor it saw and, when the
 * socket drops, reconnects with exponential backoff from that cursor, so the hub replays
 * exactly what was missed. Frames replayed before `ready` are flagged `replay`. A close with
 * 4401 means the session ended (logout elsewhere, password change, expiry): the stream stops
 * for good and says so, instead of reconnecting in a loop.
 */
import { ServerFrameSchema, StreamCloseCode, type ClientFrame, type ServerFrame } from '@confide/protocol';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting';

export interface StreamHandlers {
  onFrame(frame: ServerFrame, replay: boolean): void;
  onStatus(status: StreamStatus): void;
  /** After a reconnect's replay is complete (not after the first connection). */
  onResumed?(): void;
  /** The hub closed the socket because its session ended (4401); the stream has stopped. */
  onSessionEnded?(): void;
}

export interface StreamHandle {
  send(frame: ClientFrame): void;
  close(): void;
  /** The last persisted cursor received (undefined before the first `ready`). */
  readonly cursor: number | undefined;
}

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 15_000;
const PING_EVERY_MS = 25_000;

/** Delay before reconnect attempt `attempt` (0-based): exponential, capped, with jitter. */
export const backoffDelay = (attempt: number, random = Math.random): number => {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
};

export function openStream(handlers: StreamHandlers): StreamHandle {
  let cursor: number | undefined;
  let socket: WebSocket | undefined;
  let attempt = 0;
  let everReady = false;
  let stopped = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let pingTimer: ReturnType<typeof setInterval> | undefined;

  const url = () => {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}/api/stream${cursor === undefined ? '' : `?cursor=${cursor}`}`;
  };

  const connect = () => {
    if (stopped) return;
    clearTimeout(retryTimer);
    retryTimer = undefined;
    let ready = false;
    const ws = new WebSocket(url());
    socket = ws;
    ws.onmessage = (event) => {
      const parsed = ServerFrameSchema.safeParse(parseJson(event.data));
      if (!parsed.success) return;
      const frame = parsed.data;
      if (frame.type === 'ready') {
        cursor = Math.max(cursor ?? 0, frame.cursor);
        ready = true;
        attempt = 0;
        handlers.onStatus('live');
        if (everReady) handlers.onResumed?.();
        everReady = true;
        return;
      }
      if ('cursor' in frame) cursor = Math.max(cursor ?? 0, frame.cursor);
      handlers.onFrame(frame, !ready);
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = undefined;
      clearInterval(pingTimer);
      if (stopped) return;
      if (event.code === StreamCloseCode.SESSION_ENDED) {
        stop();
        handlers.onSessionEnded?.();
        return;
      }
      handlers.onStatus('reconnecting');
      scheduleRetry();
    };
    pingTimer = setInterval(() => send({ type: 'ping' }), PING_EVERY_MS);
  };

  const scheduleRetry = () => {
    if (stopped || retryTimer !== undefined) return;
    retryTimer = setTimeout(connect, backoffDelay(attempt));
    attempt += 1;
  };

  const send = (frame: ClientFrame) => {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  };

  // Back online: retry now rather than waiting out the backoff.
  const onOnline = () => {
    if (socket === undefined && !stopped) connect();
  };
  // Offline: the socket may linger half-open; drop it so the banner is honest.
  const onOffline = () => socket?.close();
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOffline);

  const stop = () => {
    stopped = true;
    clearTimeout(retryTimer);
    clearInterval(pingTimer);
    window.removeEventListener('online', onOnline);
    window.removeEventListener('offline', onOffline);
    socket?.close();
    socket = undefined;
  };

  handlers.onStatus('connecting');
  connect();

  return {
    send,
    get cursor() {
      return cursor;
    },
    close: stop,
  };
}

function parseJson(data: unknown): unknown {
  if (typeof data !== 'string') return undefined;
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

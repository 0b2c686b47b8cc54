/**
 * The WebSocket plumbing shared by the customer stream (`/api/stream`) and the agent inbox
 * stream (`/inbox/api/stream`): the route, whose auth hook (session cookie and Origin check)
 * runs on the upgrade request before a socket exists; sending with back-pressure, closing a
 * slow consumer with 4008; closing with 4401 once the socket's session ends (live-sessions.ts);
 * bus subscriptions held for the socket's life, with a callback when a cross-process bus
 * reconnects; client `ping` frames; and the open-connections gauge.
 */
import { ClientFrameSchema, StreamCloseCode } from '@confide/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { BusEvent } from '../../bus/events.js';
import type { HubContext } from '../../context.js';
import type { SessionWatch } from './live-sessions.js';

/** Close code for a client that reads too slowly: it reconnects and resumes. */
export const CLOSE_SLOW_CONSUMER = StreamCloseCode.SLOW_CONSUMER;
/** Close code for a socket whose session ended: the client signs in again instead of reconnecting. */
export const CLOSE_SESSION_ENDED = StreamCloseCode.SESSION_ENDED;
/** Close code for a stream that failed on the hub's side. */
const CLOSE_STREAM_ERROR = 1011;

/** A route's auth hook; it runs on the upgrade request. */
export type UpgradeAuth = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** Registers a WebSocket route at `path` that only opens for requests `auth` lets through. */
export function liveStreamRoute(
  path: string,
  auth: UpgradeAuth,
  open: (socket: WebSocket, request: FastifyRequest) => void,
) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get(path, { websocket: true, preValidation: auth }, (socket, request) => {
      shedUpgradeState(socket, (err) => app.log.debug({ err }, 'stream socket error'));
      open(socket, request);
    });
  };
}

/**
 * A stream is held for hours, so what each socket keeps alive is the hub's memory per customer.
 * After the upgrade, the plugin's error listener closes over Fastify's request and reply (with their
 * logger, headers and the upgrade request), and the placeholder HTTP response stays attached to the
 * TCP socket: several KB per stream that nothing reads again. This drops both references; errors
 * on the socket are logged (at debug: a client that vanished is routine) and end it as before.
 */
function shedUpgradeState(socket: WebSocket, onError: (err: Error) => void): void {
  socket.removeAllListeners('error');
  socket.on('error', (err) => {
    onError(err);
    socket.terminate();
  });
  // `ws` keeps the TCP socket in `_socket`; Node's HTTP server keeps the response in `_httpMessage`.
  const tcp = (socket as unknown as { _socket?: Socket })._socket;
  const response = (tcp as (Socket & { _httpMessage?: ServerResponse | null }) | undefined)?._httpMessage;
  if (tcp !== undefined && response) response.detachSocket(tcp);
}

/** Options of {@link LiveSocket}. */
export interface LiveSocketOptions<Frame> {
  /** The session the socket lives on: when it ends, the socket is closed with 4401. */
  session: SessionWatch;
  /** Bytes queued on the socket beyond which the client is too slow and is closed. */
  maxBuffered: number;
  /** The close reason given to a slow consumer, read when it is closed. */
  slowConsumerReason: () => string;
  /** The answer to a frame that is not a client frame; without it such frames are ignored. */
  badFrameAnswer?: Frame;
}

/** What {@link LiveSocket} needs of the TCP socket under a `ws` socket. */
type Corkable = Pick<Socket, 'cork' | 'uncork'>;

/** Sockets corked since the pending uncork was queued, uncorked together when it runs. */
const corked: Corkable[] = [];
/** Uncorks run so far: a socket corked since the last one holds this number. */
let turn = 0;

function uncorkAll(): void {
  turn += 1;
  for (const tcp of corked.splice(0)) tcp.uncork();
}

/**
 * Holds `tcp`'s writes until the microtasks queued so far have run. A commit announces its
 * messages in one synchronous loop (storage/write-queue.ts `#settle`), and a customer often has
 * several of them: each frame would otherwise be a syscall of its own (`ws` uncorks after every
 * frame), on a busy hub the largest single cost of its event loop. Corked, they leave in one `writev`.
 */
function corkUntilTurnEnds(tcp: Corkable): void {
  if (corked.length === 0) queueMicrotask(uncorkAll);
  corked.push(tcp);
  tcp.cork();
}

/** One open stream socket: frames out with back-pressure, bus subscriptions released on close. */
export class LiveSocket<Frame> {
  readonly #ctx: HubContext;
  readonly #socket: WebSocket;
  /** The TCP socket `ws` writes to (absent on stand-ins). */
  readonly #tcp: Corkable | undefined;
  readonly #options: LiveSocketOptions<Frame>;
  readonly #releases: Array<() => void> = [];
  #closed = false;
  /** The value of `turn` when `#tcp` was last corked: equal to it while corked. */
  #corkedIn = -1;

  constructor(ctx: HubContext, socket: WebSocket, options: LiveSocketOptions<Frame>) {
    this.#ctx = ctx;
    this.#socket = socket;
    this.#tcp = (socket as unknown as { _socket?: Socket })._socket;
    this.#options = options;
    ctx.metrics.wsConnections.inc();
    this.#releases.push(options.session.watch(() => this.#close(CLOSE_SESSION_ENDED, 'session ended')));
    socket.on('close', () => {
      this.#closed = true;
      for (const release of this.#releases.splice(0)) release();
      ctx.metrics.wsConnections.dec();
    });
    socket.on('message', (data) => {
      const parsed = ClientFrameSchema.safeParse(safeJson(data.toString()));
      if (!parsed.success) {
        if (options.badFrameAnswer !== undefined) this.send(options.badFrameAnswer);
        return;
      }
      if (parsed.data.type === 'ping') socket.ping();
    });
  }

  /** True once the socket closed or is closing. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends a frame, or closes a slow consumer with 4008 instead.
   * @returns whether the frame was sent.
   */
  send(frame: Frame): boolean {
    if (this.#closed) return false;
    if (this.#socket.bufferedAmount > this.#options.maxBuffered) {
      this.#close(CLOSE_SLOW_CONSUMER, this.#options.slowConsumerReason());
      return false;
    }
    const tcp = this.#tcp;
    if (tcp !== undefined && this.#corkedIn !== turn) {
      this.#corkedIn = turn;
      corkUntilTurnEnds(tcp);
    }
    this.#socket.send(JSON.stringify(frame));
    return true;
  }

  /** Follows a bus topic until the socket closes; `onReconnect` runs when a cross-process bus reconnects. */
  follow(topic: string, onEvent: (event: BusEvent) => void, onReconnect: () => void): void {
    this.#releases.push(this.#ctx.bus.subscribe(topic, onEvent));
    const release = this.#ctx.bus.onReconnect?.(onReconnect);
    if (release !== undefined) this.#releases.push(release);
  }

  /**
   * Runs `begin` once the subscriptions are live across processes (so nothing published after
   * the client's read is missed). A failure is logged and closes the socket with 1011.
   */
  async start(
    begin: () => Promise<void> | void,
    failure: { message: string; fields?: Record<string, unknown> },
  ): Promise<void> {
    try {
      await this.#ctx.bus.flush?.();
      await begin();
    } catch (err) {
      this.#ctx.log.error({ err, ...failure.fields }, failure.message);
      this.fail();
    }
  }

  /** Closes the socket after a failure on the hub's side. */
  fail(): void {
    this.#close(CLOSE_STREAM_ERROR, 'stream error');
  }

  /** Closes once; nothing is sent after. */
  #close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close(code, reason);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The jobs a load worker runs, sent over IPC from the bench runner. */
import type { LatencySummary } from '../lib/stats.js';
import type { RequestSpec } from './http-client.js';

export interface HttpLoadJob {
  kind: 'http-load';
  port: number;
  /** Request of connection i is `requests[i % requests.length]`. */
  requests: RequestSpec[];
  connections: number;
  warmupMs: number;
  durationMs: number;
  /** Open loop at this many requests per second in total; closed loop when absent. */
  rate?: number;
  /** Status of a successful response. */
  okStatus: number;
  /** Messages carried by one request (Graph batch). */
  messagesPerRequest?: number;
  /**
   * When set, messages of a successful response are counted as the occurrences of this
   * string in its body (a Graph batch answers 200 even when operations fail).
   */
  countInBody?: string;
  /** Source addresses to spread connections over (127.0.0.x). */
  localAddresses?: string[];
  /** Remember when each `$SEQ` was acknowledged, for `ws-latency`. */
  trackAcks?: boolean;
}

export interface HttpLoadResult {
  requests: number;
  ok: number;
  errors: number;
  statuses: Record<string, number>;
  seconds: number;
  /** Successful requests per second in the measured window. */
  rps: number;
  /** Messages per second (rps × messagesPerRequest, or counted with countInBody). */
  mps: number;
  /** Messages acknowledged in the measured window. */
  messages: number;
  latency: LatencySummary;
  firstError?: string;
}

export interface WsOpenJob {
  kind: 'ws-open';
  /** ws://host:port/path */
  url: string;
  clients: Array<{ cookie?: string; query?: string }>;
  localAddresses?: string[];
  /** Handshakes in flight at once. */
  concurrency: number;
  /** Wait for the server's `ready` frame before counting a client as open. */
  waitReady: boolean;
  /** Record arrival times of message frames by text, for latency. */
  track?: boolean;
}

export interface WsOpenResult {
  opened: number;
  failed: number;
  ms: number;
  firstError?: string;
}

export interface WsStatsJob {
  kind: 'ws-stats';
}

export interface WsStatsResult {
  open: number;
  closedByServer: number;
  messageFrames: number;
  /** Epoch milliseconds of the first and last message frame. */
  firstMessageAt: number;
  lastMessageAt: number;
  /** Message frames per text prefix out of order (per socket, by `#n` suffix). */
  outOfOrder: number;
}

export interface WsWaitJob {
  kind: 'ws-wait';
  /** Resolve once this many message frames have arrived in total. */
  messageFrames: number;
  timeoutMs: number;
}

export interface WsCloseJob {
  kind: 'ws-close';
}

export interface LatencyReportJob {
  kind: 'latency-report';
}

export interface LatencyReport {
  /** Acknowledged sends that were matched with a frame. */
  matched: number;
  missing: number;
  /** Frames that reached the socket before the HTTP acknowledgement did. */
  framesBeforeAck: number;
  /** Ack → frame (frames that beat the ack count as 0). */
  ackToFrame: LatencySummary;
  /** Request written → frame. */
  sendToFrame: LatencySummary;
}

export interface HttpOnceJob {
  kind: 'http-once';
  port: number;
  request: RequestSpec;
}

/** Sends every request once over `connections` keep-alive connections. */
export interface HttpSendAllJob {
  kind: 'http-send-all';
  port: number;
  requests: RequestSpec[];
  connections: number;
  okStatus: number;
  /** Stop sending after this many milliseconds (the rest count as not sent). */
  deadlineMs?: number;
}

export interface HttpSendAllResult {
  ok: number;
  failed: number;
  /** Requests never sent because the deadline passed. */
  unsent: number;
  /** Epoch milliseconds of the first write and the last acknowledgement. */
  startedAt: number;
  endedAt: number;
  firstError?: string;
}

/** Starts a webhook receiver in the worker (answers 200 to every POST). */
export interface ReceiverStartJob {
  kind: 'receiver-start';
}

export interface ReceiverStatsJob {
  kind: 'receiver-stats';
}

export interface ReceiverStats {
  posts: number;
  events: number;
  /** Events whose `#n` was not above the previous one of the same sender. */
  outOfOrder: number;
  senders: number;
  /** Epoch milliseconds of the first and last POST received. */
  firstAt: number;
  lastAt: number;
  largestBatch: number;
}

export type Job =
  | HttpLoadJob
  | WsOpenJob
  | WsStatsJob
  | WsWaitJob
  | WsCloseJob
  | LatencyReportJob
  | HttpOnceJob
  | HttpSendAllJob
  | ReceiverStartJob
  | ReceiverStatsJob;

export interface JobResults {
  'http-load': HttpLoadResult;
  'ws-open': WsOpenResult;
  'ws-stats': WsStatsResult;
  'ws-wait': WsStatsResult;
  'ws-close': { closed: number };
  'latency-report': LatencyReport;
  'http-once': { status: number; body: string; ms: number };
  'http-send-all': HttpSendAllResult;
  'receiver-start': { url: string };
  'receiver-stats': ReceiverStats;
}

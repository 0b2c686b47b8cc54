/**
 * The agent inbox's state: who is logged in, the queue, the hub's clock offset for waiting
 * times, the messages that arrived as stream frames (the open conversation appends them, and
 * the queue's previews follow them, without re-reading), a revision per conversation that the
 * open conversation watches to re-read its state, and a reload count for after a reconnect.
 */
import type { InboxAgent, InboxFrame, InboxMessage, InboxQueueItem } from '@confide/protocol';
import { InboxFrameSchema, StreamCloseCode } from '@confide/protocol';
import { isSessionGone, sessionChecks } from '../../lib/session';
import { createStore, useStore } from '../../lib/store';
import { backoffDelay } from '../../lib/stream';
import { inboxApi } from './inbox-api';

export interface InboxState {
  /** undefined while checking, null when logged out. */
  agent: InboxAgent | null | undefined;
  queue: InboxQueueItem[] | undefined;
  /** Hub time minus browser time. */
  clockOffset: number;
  live: 'connecting' | 'live' | 'reconnecting';
  revisions: Record<string, number>;
  /** Conversations that left the inbox while the agent was looking. */
  left: Record<string, true>;
  /** Messages received as frames, per conversation (the open one merges them by mid). */
  incoming: Record<string, InboxMessage[]>;
  /** Bumped when frames may have been missed (reconnect): open conversations read everything again. */
  reloads: number;
}

const store = createStore<InboxState>({
  agent: undefined,
  queue: undefined,
  clockOffset: 0,
  live: 'connecting',
  revisions: {},
  left: {},
  incoming: {},
  reloads: 0,
});

export const useInbox = <T>(select: (s: InboxState) => T): T => useStore(store, select);
export const setAgent = (agent: InboxAgent | null) =>
  store.set((s) => ({ ...s, agent, queue: agent === null ? undefined : s.queue }));

const agentSession = sessionChecks({ me: async () => (await inboxApi.me()).agent, logOut: inboxApi.logOut }, setAgent);

/** Asks the hub which agent the session cookie belongs to (a network blip retries shortly). */
export const checkAgent = agentSession.check;
export const logOutAgent = agentSession.logOut;

let refreshing: Promise<void> | null = null;
let again = false;

/** Re-reads the queue; calls made while one is in flight coalesce into one more read. */
export function refreshQueue(): Promise<void> {
  if (refreshing !== null) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    try {
      do {
        again = false;
        const queue = await inboxApi.queue();
        store.set((s) => ({ ...s, queue: queue.data, clockOffset: queue.now - Date.now() }));
      } while (again);
    } catch (err) {
      if (isSessionGone(err)) setAgent(null);
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

let wasLive = false;

/** Keeps at most this many frame messages per conversation (the open pane has the rest). */
const INCOMING_LIMIT = 200;

function onFrame(frame: InboxFrame): void {
  if (frame.type === 'message') {
    // One message, one frame: appended where it is shown, nothing re-read.
    const id = frame.conversation_id;
    store.set((s) => ({
      ...s,
      incoming: { ...s.incoming, [id]: [...(s.incoming[id] ?? []), frame.message].slice(-INCOMING_LIMIT) },
      queue: s.queue?.map((item) => (item.conversation_id === id ? { ...item, last_message: frame.message } : item)),
    }));
    return;
  }
  if (frame.type === 'ready' || frame.type === 'resync') {
    // The first `ready` only says the stream is live; later ones follow a reconnect, when frames may be missing.
    const missed = frame.type === 'resync' || wasLive;
    wasLive = true;
    store.set((s) => ({ ...s, live: 'live', ...(missed ? { reloads: s.reloads + 1, incoming: {} } : {}) }));
  } else {
    const id = frame.conversation_id;
    store.set((s) => ({
      ...s,
      revisions: { ...s.revisions, [id]: (s.revisions[id] ?? 0) + 1 },
      left: frame.change === 'left' ? { ...s.left, [id]: true } : frame.change === 'queued' ? omit(s.left, id) : s.left,
    }));
  }
  void refreshQueue();
}

const omit = (record: Record<string, true>, key: string) =>
  Object.fromEntries(Object.entries(record).filter(([k]) => k !== key)) as Record<string, true>;

/** Opens the agent stream and keeps it open (backoff on drops) until the returned stop is called. */
export function startInbox(): () => void {
  let stopped = false;
  let attempt = 0;
  let socket: WebSocket | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const connect = () => {
    if (stopped) return;
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${scheme}//${location.host}/inbox/api/stream`);
    socket = ws;
    ws.onmessage = (event) => {
      const parsed = InboxFrameSchema.safeParse(safeJson(String(event.data)));
      if (!parsed.success) return;
      if (parsed.data.type === 'ready') attempt = 0;
      onFrame(parsed.data);
    };
    ws.onclose = (event) => {
      if (stopped) return;
      // The session ended (logout elsewhere, expiry): back to the login screen, no reconnect.
      if (event.code === StreamCloseCode.SESSION_ENDED) {
        stopped = true;
        setAgent(null);
        return;
      }
      store.set((s) => ({ ...s, live: 'reconnecting' }));
      // A refused upgrade looks like a close: ask the API whether the session is still alive
      // (once per close; the reconnect below is the retry).
      void agentSession.verify();
      retry = setTimeout(connect, backoffDelay(attempt++));
    };
  };
  store.set((s) => ({ ...s, live: 'connecting' }));
  wasLive = false;
  void refreshQueue();
  connect();
  return () => {
    stopped = true;
    clearTimeout(retry);
    socket?.close();
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

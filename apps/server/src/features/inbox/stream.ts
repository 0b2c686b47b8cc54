/**
 * The agent's live signal at `/inbox/api/stream` (cookie auth, Origin check): frames
 * `{type:'queue', change, conversation_id}` when a conversation of the agent's page enters
 * or leaves the inbox, is taken, or gets a message. Frames carry no content: the client
 * re-reads through the API, so a missed frame costs freshness, never data.
 */
import { ClientFrameSchema, InboxChangeSchema, type InboxFrame } from '@confide/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { HubContext } from '../../context.js';
import { CLOSE_SLOW_CONSUMER } from '../realtime/stream.js';
import { agentOf } from './agent-auth.js';

const MAX_BUFFERED = 1024 * 1024;

type Auth = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export function inboxStreamRoutes(ctx: HubContext, auth: Auth) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/inbox/api/stream', { websocket: true, preValidation: auth }, (socket, request) => {
      void runInboxStream(ctx, socket, agentOf(request).page_id);
    });
  };
}

async function runInboxStream(ctx: HubContext, socket: WebSocket, pageId: string): Promise<void> {
  let closed = false;
  const send = (frame: InboxFrame): void => {
    if (closed) return;
    if (socket.bufferedAmount > MAX_BUFFERED) {
      closed = true;
      socket.close(CLOSE_SLOW_CONSUMER, 'slow consumer; reconnect and re-read the queue');
      return;
    }
    socket.send(JSON.stringify(frame));
  };
  // Only the inbox's own changes: thread moves between the page's apps are none of the agents' business.
  const unsubscribe = ctx.bus.subscribe(`inbox.${pageId}`, (event) => {
    if (event.name !== 'inbox.changed') return;
    const change = InboxChangeSchema.safeParse(event.change);
    if (change.success) send({ type: 'queue', change: change.data, conversation_id: event.conversationId });
  });
  const unsubscribeReconnect = ctx.bus.onReconnect?.(() => send({ type: 'resync' }));
  ctx.metrics.wsConnections.inc();
  socket.on('close', () => {
    closed = true;
    unsubscribe();
    unsubscribeReconnect?.();
    ctx.metrics.wsConnections.dec();
  });
  socket.on('message', (data) => {
    const parsed = ClientFrameSchema.safeParse(safeJson(data.toString()));
    if (parsed.success && parsed.data.type === 'ping') socket.ping();
  });
  try {
    // The subscription must be live across processes before the client reads the queue.
    await ctx.bus.flush?.();
    send({ type: 'ready' });
  } catch (err) {
    ctx.log.error({ err }, 'inbox stream failed');
    socket.close(1011, 'stream error');
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

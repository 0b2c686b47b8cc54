/**
 * The agent's live signal at `/inbox/api/stream` (cookie auth, Origin check): frames
 * `{type:'queue', change, conversation_id}` when a conversation of the agent's page enters
 * or leaves the inbox, is taken, or gets a message. Frames carry no content: the client
 * re-reads through the API, so a missed frame costs freshness, never data.
 */
import { InboxChangeSchema, type InboxFrame } from '@confide/protocol';
import type { WebSocket } from 'ws';
import type { HubContext } from '../../context.js';
import type { LiveSessions, SessionWatch } from '../realtime/live-sessions.js';
import { LiveSocket, liveStreamRoute, type UpgradeAuth } from '../realtime/live-socket.js';
import { agentOf } from './agent-auth.js';

const MAX_BUFFERED = 1024 * 1024;

export function inboxStreamRoutes(ctx: HubContext, auth: UpgradeAuth, sessions: LiveSessions) {
  return liveStreamRoute('/inbox/api/stream', auth, (socket, request) => {
    void runInboxStream(ctx, socket, sessions.of(request), agentOf(request).page_id);
  });
}

async function runInboxStream(ctx: HubContext, socket: WebSocket, session: SessionWatch, pageId: string): Promise<void> {
  const conn = new LiveSocket<InboxFrame>(ctx, socket, {
    session,
    maxBuffered: MAX_BUFFERED,
    slowConsumerReason: () => 'slow consumer; reconnect and re-read the queue',
  });
  // Only the inbox's own changes: thread moves between the page's apps are none of the agents' business.
  conn.follow(
    `inbox.${pageId}`,
    (event) => {
      if (event.name !== 'inbox.changed') return;
      const change = InboxChangeSchema.safeParse(event.change);
      if (change.success) conn.send({ type: 'queue', change: change.data, conversation_id: event.conversationId });
    },
    () => conn.send({ type: 'resync' }),
  );
  // The subscription must be live across processes before the client reads the queue.
  await conn.start(() => void conn.send({ type: 'ready' }), { message: 'inbox stream failed' });
}

/**
 * The agent's live signal at `/inbox/api/stream` (cookie auth, Origin check): a message of a
 * conversation of the agent's page arrives as one `{type:'message', conversation_id, message}`
 * frame, opened for this agent (no re-read); other changes (a conversation enters or leaves
 * the inbox, is taken, snoozed, reopened) are `{type:'queue', change, conversation_id}` hints
 * to re-read. After a `resync` the client re-reads everything, so a missed frame costs
 * freshness, never data.
 */
import { InboxChangeSchema, type InboxFrame } from '@confide/protocol';
import type { WebSocket } from 'ws';
import type { HubContext } from '../../context.js';
import type { LiveSessions, SessionWatch } from '../realtime/live-sessions.js';
import { LiveSocket, liveStreamRoute, type UpgradeAuth } from '../realtime/live-socket.js';
import { agentOf } from './agent-auth.js';
import type { Agent } from './agents.js';
import type { Inbox } from './inbox.js';

const MAX_BUFFERED = 1024 * 1024;

export function inboxStreamRoutes(ctx: HubContext, auth: UpgradeAuth, sessions: LiveSessions, inbox: Inbox) {
  return liveStreamRoute('/inbox/api/stream', auth, (socket, request) => {
    void runInboxStream(ctx, socket, sessions.of(request), agentOf(request), inbox);
  });
}

async function runInboxStream(
  ctx: HubContext,
  socket: WebSocket,
  session: SessionWatch,
  agent: Agent,
  inbox: Inbox,
): Promise<void> {
  const pageId = agent.page_id;
  const conn = new LiveSocket<InboxFrame>(ctx, socket, {
    session,
    maxBuffered: MAX_BUFFERED,
    slowConsumerReason: () => 'slow consumer; reconnect and re-read the queue',
  });
  // Only the inbox's own changes: thread moves between the page's apps are none of the agents' business.
  // Messages are opened one after another, so frames keep the order of the events.
  let chain: Promise<void> = Promise.resolve();
  conn.follow(
    `inbox.${pageId}`,
    (event) => {
      // A message appended to one of the inbox's conversations is one frame; the inbox's own changes are hints.
      if (event.name !== 'inbox.changed' && event.name !== 'message.appended') return;
      const { conversationId, mid } = event;
      const change = InboxChangeSchema.safeParse(event.name === 'message.appended' ? 'message' : event.change);
      if (!change.success) return;
      chain = chain.then(async () => {
        if (change.data !== 'message' || mid === undefined)
          return void conn.send({ type: 'queue', change: change.data, conversation_id: conversationId });
        const message = await inbox.message(agent, conversationId, mid).catch(() => undefined);
        // Unreadable (erased meanwhile): a hint to re-read instead.
        conn.send(
          message === undefined
            ? { type: 'queue', change: 'message', conversation_id: conversationId }
            : { type: 'message', conversation_id: conversationId, message },
        );
      });
    },
    () => conn.send({ type: 'resync' }),
  );
  // The subscription must be live across processes before the client reads the queue.
  await conn.start(() => void conn.send({ type: 'ready' }), { message: 'inbox stream failed' });
}

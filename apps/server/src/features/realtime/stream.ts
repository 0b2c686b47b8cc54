/**
 * The customer's real-time stream at `/api/stream?cursor=N`. On connect it subscribes
 * to the bus first, replays persisted events after the cursor from the database, then
 * switches to live frames, skipping any cursor already sent, so nothing is lost and
 * nothing doubled. A gap in live cursors (events published out of order by another
 * process) is filled from the database. Slow consumers are closed with code 4008 and
 * resume with their cursor.
 */
import type { ServerFrame } from '@confide/protocol';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { PAGE_PROFILE_TOPIC } from '../../bus/bus.js';
import type { HubContext } from '../../context.js';
import { customerOf } from '../../http/customer-auth.js';
import type { DeliveryReceipts } from './delivery-receipts.js';
import { currentCursor, readCustomerEvents } from '../../timeline/index.js';
import { mediaLinksFor } from '../media/media-links.js';
import type { LiveSessions, SessionWatch } from './live-sessions.js';
import { LiveSocket, liveStreamRoute, type UpgradeAuth } from './live-socket.js';

const REPLAY_BATCH = 500;
/** Bytes queued on a socket beyond which the client is considered too slow. */
const MAX_BUFFERED = 4 * 1024 * 1024;

const StreamQuerySchema = z.object({ cursor: z.coerce.number().int().min(0).optional() });

export function streamRoutes(
  ctx: HubContext,
  auth: UpgradeAuth,
  sessions: LiveSessions,
  deliveries?: DeliveryReceipts,
) {
  return liveStreamRoute('/api/stream', auth, (socket, request) => {
    const query = StreamQuerySchema.safeParse(request.query);
    const customerId = customerOf(request).id;
    void runStream(
      ctx,
      socket,
      sessions.of(request),
      customerId,
      query.success ? query.data.cursor : undefined,
      deliveries,
    );
  });
}

async function runStream(
  ctx: HubContext,
  socket: WebSocket,
  session: SessionWatch,
  customerId: string,
  fromCursor: number | undefined,
  deliveries: DeliveryReceipts | undefined,
): Promise<void> {
  let lastSent = 0;
  let live = false;
  const pending: ServerFrame[] = [];
  let catchingUp: Promise<void> | null = null;
  /** The bus reconnected while a replay was running: re-sync once it ends. */
  let resyncPending = false;

  const conn = new LiveSocket<ServerFrame>(ctx, socket, {
    session,
    maxBuffered: MAX_BUFFERED,
    slowConsumerReason: () => `slow consumer; resume from cursor ${lastSent}`,
    badFrameAnswer: { type: 'error', code: 'BAD_FRAME', message: 'Unrecognised frame' },
  });
  // External images in messages are shown through the hub's proxy, with links minted for this customer.
  const links = mediaLinksFor(ctx.config);
  const viewer = { kind: 'customer', id: customerId } as const;
  const send = (frame: ServerFrame): void => {
    if (!conn.send(links.frame(viewer, frame))) return;
    if ('cursor' in frame && frame.type !== 'ready') lastSent = Math.max(lastSent, frame.cursor);
    // Written to the customer's socket: a business message has reached the device.
    if (frame.type === 'message') deliveries?.note(customerId, [frame.message]);
  };

  const replayFrom = async (cursor: number, upTo: number): Promise<void> => {
    let at = cursor;
    while (!conn.closed && at < upTo) {
      const { frames, last } = await readCustomerEvents(
        ctx.storage.db,
        ctx.storage.vault,
        customerId,
        at,
        REPLAY_BATCH,
      );
      for (const f of frames) send(f);
      if (last === at) break;
      at = last;
      lastSent = Math.max(lastSent, last);
    }
  };

  const deliverLive = (frame: ServerFrame): void => {
    if (!('cursor' in frame) || frame.type === 'ready') return send(frame);
    if (frame.cursor <= lastSent) return;
    if (frame.cursor === lastSent + 1) return send(frame);
    // A gap: something committed before this frame has not reached us yet. Read it back.
    pending.push(frame);
    catchingUp ??= replayFrom(lastSent, frame.cursor)
      .then(() => {
        catchingUp = null;
        const queued = pending.splice(0);
        for (const f of queued) if (!('cursor' in f) || f.cursor > lastSent) send(f);
        if (resyncPending) {
          resyncPending = false;
          resync();
        }
      })
      .catch(() => conn.fail());
  };

  // A cross-process bus that was down may have lost live frames: replay from lastSent.
  const resync = (): void => {
    if (conn.closed) return;
    if (!live || catchingUp !== null) return void (resyncPending = true);
    catchingUp = currentCursor(ctx.storage.db, customerId)
      .then((head) => replayFrom(lastSent, head))
      .then(() => {
        catchingUp = null;
        const queued = pending.splice(0);
        for (const f of queued) deliverLive(f);
        if (resyncPending && catchingUp === null) {
          resyncPending = false;
          resync();
        }
      })
      .catch(() => conn.fail());
  };

  const arrive = (frame: ServerFrame): void => {
    if (!live || catchingUp !== null) pending.push(frame);
    else deliverLive(frame);
  };
  conn.follow(
    `customer.${customerId}`,
    (event) => {
      if (event.name === 'customer.frame') arrive(event.frame);
    },
    resync,
  );
  // Profile changes are public and ephemeral: passed on as they come, never replayed.
  conn.follow(
    PAGE_PROFILE_TOPIC,
    (event) => {
      if (event.name === 'page.profile' && live) send({ type: 'profile', page_id: event.pageId });
    },
    () => undefined,
  );

  // Our subscription must be live across processes before the head is read.
  await conn.start(
    async () => {
      const head = await currentCursor(ctx.storage.db, customerId);
      if (fromCursor === undefined) lastSent = head;
      else await replayFrom(Math.min(fromCursor, head), head);
      lastSent = Math.max(lastSent, fromCursor === undefined ? head : Math.min(fromCursor, head));
      live = true;
      const queued = pending.splice(0);
      for (const f of queued) deliverLive(f);
      send({ type: 'ready', cursor: lastSent });
      if (resyncPending) {
        resyncPending = false;
        resync();
      }
    },
    { message: 'stream replay failed', fields: { customerId } },
  );
}

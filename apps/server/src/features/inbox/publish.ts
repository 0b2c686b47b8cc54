/**
 * The agents' live signals, after the transaction commits: `inbox.changed` when the inbox's
 * own state of a conversation changes, `message.appended` when a message joins one of its
 * conversations (the kernel's consumer below, and the system lines the inbox writes).
 */
import { PAGE_INBOX_APP_ID, type InboxChange } from '@confide/protocol';
import type { Bus } from '../../bus/bus.js';
import type { WriteTx } from '../../storage/write-queue.js';
import type { TimelineConsumer } from '../../timeline/index.js';

export function publishInboxChange(
  tx: WriteTx,
  bus: Bus,
  pageId: string,
  conversationId: string,
  change: InboxChange,
  mid?: string,
): void {
  tx.afterCommit(() =>
    bus.publish({ name: 'inbox.changed', pageId, conversationId, change, ...(mid === undefined ? {} : { mid }) }),
  );
}

/** After commit: a message joined a conversation the page's agents follow. */
export function publishMessageAppended(
  tx: WriteTx,
  bus: Bus,
  pageId: string,
  conversationId: string,
  mid: string,
): void {
  tx.afterCommit(() => bus.publish({ name: 'message.appended', pageId, conversationId, mid }));
}

/** The inbox consumes the timeline: a message in a conversation the page inbox holds reaches its agents live. */
export const inboxFollowsMessages: TimelineConsumer = (tx, bus, { entry, message }) => {
  const conv = entry.conversation;
  if (conv.thread_owner_app_id === PAGE_INBOX_APP_ID)
    publishMessageAppended(tx, bus, conv.page_id, conv.id, message.mid);
};

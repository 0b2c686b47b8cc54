/** The agents' live signal: one `inbox.changed` event after the transaction commits. */
import type { InboxChange } from '@confide/protocol';
import type { Bus } from '../../bus/bus.js';
import type { WriteTx } from '../../storage/write-queue.js';

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

/**
 * Unlinking, from any of its three doors (the customer's `account_unlink` button, the
 * business's `POST /me/unlink_accounts`, the privacy center): the link (the PSID ↔
 * business-account mapping) is deleted, the consent is revoked in the same transaction,
 * and the business is told `{status:'unlinked'}` through the durable outbox.
 */
import type { Bus } from '../../bus/bus.js';
import type { WriteTx } from '../../storage/write-queue.js';
import { revokeInTx } from '../consent/grants.js';
import type { ConversationRow } from '../conversations/index.js';
import { appendFrame, appendWebhook } from '../../timeline/index.js';

/** Unlinks a conversation; returns whether a link existed. Consent is revoked either way. */
export async function unlinkInTx(
  tx: WriteTx,
  bus: Bus,
  input: { conversation: ConversationRow; now: number },
): Promise<boolean> {
  const { conversation: conv, now } = input;
  const deleted = await tx.db.deleteFrom('account_links').where('conversation_id', '=', conv.id).executeTakeFirst();
  const wasLinked = deleted.numDeletedRows > 0n;
  const revoked = await revokeInTx(tx, { party: conv, source: 'unlink', now });
  if (wasLinked) {
    await appendWebhook(tx, bus, {
      pageId: conv.page_id,
      conversationId: conv.id,
      customerId: conv.customer_id,
      psid: conv.psid,
      field: 'messaging_account_linking',
      item: { account_linking: { status: 'unlinked' } },
      threadOwnerAppId: null,
      timestamp: now,
    });
  }
  if (wasLinked || revoked) {
    await appendFrame(
      tx,
      bus,
      conv.customer_id,
      { type: 'conversation', conversation_id: conv.id, change: 'unlinked' },
      now,
    );
  }
  return wasLinked;
}

/**
 * Erasure (right to be forgotten) by crypto-shredding plus deletion. The keys go first:
 * once the customer's data key (or a conversation's salt) is destroyed, every copy of
 * their sealed content — in this database, its WAL, a file copy or a backup — is
 * ciphertext nobody can open, even if deleting the rows later fails. Then the rows go:
 * sessions, conversations, messages, events, pending webhooks (so the business receives
 * nothing new), links, tokens, consent state and receipts, and the attachment files that
 * were the customer's alone (single-use files sent to them; their keys were wrapped under
 * the erased conversation keys, and the blobs are deleted after commit). The append-only
 * consent ledger keeps its entries; they hold ids, categories and times, never content.
 */
import { sql } from 'kysely';
import type { HubContext } from '../context.js';
import { deleteFileBlobs, removeConversationFiles } from '../features/attachments/attachments.js';
import type { BlobStore } from '../storage/blob-store.js';
import { announceSessionsEnded } from '../features/realtime/live-sessions.js';
import type { WriteTx } from '../storage/write-queue.js';

export interface ErasureReport {
  customerId: string;
  conversations: number;
  messages: number;
  pendingWebhooks: number;
  keys: number;
  /** Attachment files that were the customer's alone, deleted. */
  attachments: number;
}

/** Deletes everything of a customer but the consent ledger; the caller has checked who asks. */
export async function eraseCustomer(
  ctx: HubContext,
  customerId: string,
  onCommit?: (tx: WriteTx, report: ErasureReport) => Promise<void>,
  blobs?: BlobStore,
): Promise<ErasureReport> {
  const keys = await ctx.storage.vault.eraseCustomer(customerId);
  let files: string[] = [];
  const report = await ctx.storage.writes.run(async (tx) => {
    const db = tx.db;
    const conversations = (
      await db.selectFrom('conversations').select('id').where('customer_id', '=', customerId).execute()
    ).map((r) => r.id);
    let messages = 0;
    let pendingWebhooks = 0;
    files = await removeConversationFiles(db, conversations);
    await db.deleteFrom('attachment_keys').where('customer_id', '=', customerId).execute();
    if (conversations.length > 0) {
      pendingWebhooks = Number(
        (await db.deleteFrom('webhook_outbox').where('conversation_id', 'in', conversations).executeTakeFirst())
          .numDeletedRows,
      );
      messages = Number(
        (await db.deleteFrom('messages').where('conversation_id', 'in', conversations).executeTakeFirst())
          .numDeletedRows,
      );
      await db.deleteFrom('agent_views').where('conversation_id', 'in', conversations).execute();
    }
    await db.deleteFrom('customer_events').where('customer_id', '=', customerId).execute();
    await db.deleteFrom('linking_tokens').where('customer_id', '=', customerId).execute();
    // The customer's assistants: their grants with ledger and receipts, codes and tokens.
    await db.deleteFrom('oauth_codes').where('customer_id', '=', customerId).execute();
    await db.deleteFrom('oauth_refresh_tokens').where('customer_id', '=', customerId).execute();
    await db.deleteFrom('assistant_grants').where('customer_id', '=', customerId).execute();
    await db.deleteFrom('assistant_grant_ledger').where('customer_id', '=', customerId).execute();
    await db.deleteFrom('account_links').where('customer_id', '=', customerId).execute();
    await db.deleteFrom('consent_receipts').where('customer_id', '=', customerId).execute();
    await db.deleteFrom('consent_reminders').where('customer_id', '=', customerId).execute();
    await db.deleteFrom('consent_state').where('customer_id', '=', customerId).execute();
    await db.deleteFrom('profile_shares').where('customer_id', '=', customerId).execute();
    await db.deleteFrom('sessions').where('customer_id', '=', customerId).execute();
    // Their devices' push subscriptions, queued pushes and push choices.
    await db.deleteFrom('push_jobs').where('customer_id', '=', customerId).execute();
    await db.deleteFrom('push_subscriptions').where('customer_id', '=', customerId).execute();
    await db.deleteFrom('push_muted').where('customer_id', '=', customerId).execute();
    await db.deleteFrom('push_action_tokens').where('customer_id', '=', customerId).execute();
    // Their phone number, texts waiting and the record of texts sent.
    await db.deleteFrom('sms_jobs').where('customer_id', '=', customerId).execute();
    await db.deleteFrom('sms_sends').where('customer_id', '=', customerId).execute();
    await db.deleteFrom('sms_phones').where('customer_id', '=', customerId).execute();
    // Their open streams close on every hub process.
    announceSessionsEnded(tx, ctx.bus, 'customer', customerId);
    // Conversations cascade to what hangs off them (inbox threads, blocks, attachment links).
    await db.deleteFrom('conversations').where('customer_id', '=', customerId).execute();
    await db.deleteFrom('customers').where('id', '=', customerId).execute();
    const done: ErasureReport = {
      customerId,
      conversations: conversations.length,
      messages,
      pendingWebhooks,
      keys,
      attachments: files.length,
    };
    if (onCommit !== undefined) await onCommit(tx, done);
    return done;
  });
  await deleteFileBlobs(ctx, blobs, files);
  await checkpointWal(ctx);
  return report;
}

export interface HistoryErasureReport {
  conversationId: string;
  messages: number;
  pendingWebhooks: number;
  /** Single-use attachment files sent only in this conversation, deleted. */
  attachments: number;
}

/**
 * Erases one conversation's history: its salt is destroyed (so its key can never be
 * derived again), then its messages, message events and pending webhooks are deleted.
 * Files sent in it lose their key for this conversation; single-use ones are deleted.
 * The conversation itself (ids, watermarks) stays, and later messages get a new key.
 */
export async function eraseConversationHistory(
  ctx: HubContext,
  customerId: string,
  conversationId: string,
  onCommit?: (tx: WriteTx, report: HistoryErasureReport) => Promise<void>,
  blobs?: BlobStore,
): Promise<HistoryErasureReport> {
  await ctx.storage.vault.eraseConversation(customerId, conversationId);
  let files: string[] = [];
  const report = await ctx.storage.writes.run(async (tx) => {
    const db = tx.db;
    const pendingWebhooks = Number(
      (await db.deleteFrom('webhook_outbox').where('conversation_id', '=', conversationId).executeTakeFirst())
        .numDeletedRows,
    );
    await db
      .deleteFrom('customer_events')
      .where('customer_id', '=', customerId)
      .where('conversation_id', '=', conversationId)
      .where('type', '=', 'message')
      .execute();
    files = await removeConversationFiles(db, [conversationId]);
    await db.deleteFrom('attachment_keys').where('conversation_id', '=', conversationId).execute();
    await db.deleteFrom('message_attachments').where('conversation_id', '=', conversationId).execute();
    const messages = Number(
      (await db.deleteFrom('messages').where('conversation_id', '=', conversationId).executeTakeFirst()).numDeletedRows,
    );
    const done = { conversationId, messages, pendingWebhooks, attachments: files.length };
    if (onCommit !== undefined) await onCommit(tx, done);
    return done;
  });
  await deleteFileBlobs(ctx, blobs, files);
  await checkpointWal(ctx);
  return report;
}

/** SQLite: move committed deletions out of the WAL so the old pages stop lingering there. */
async function checkpointWal(ctx: HubContext): Promise<void> {
  if (ctx.storage.dialect !== 'sqlite') return;
  await sql`pragma wal_checkpoint(TRUNCATE)`.execute(ctx.storage.db).catch(() => undefined);
}

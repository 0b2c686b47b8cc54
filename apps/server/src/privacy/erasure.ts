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
 * Features do their part through the erasure hooks (hooks.ts): the attachments feature
 * removes the files, the realtime feature closes the customer's open streams.
 */
import { sql } from 'kysely';
import type { HubContext } from '../context.js';
import type { WriteTx } from '../storage/write-queue.js';
import type { AuditEntry } from './audit-log.js';
import type { ErasureOutcome, PrivacyHookRegistry } from './hooks.js';

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
  hooks: PrivacyHookRegistry,
  customerId: string,
  onCommit?: (tx: WriteTx, report: ErasureReport) => Promise<void>,
): Promise<ErasureReport> {
  const keys = await ctx.storage.vault.eraseCustomer(customerId);
  let features: ErasureOutcome | undefined;
  const report = await ctx.storage.writes.run(async (tx) => {
    const db = tx.db;
    const conversations = (
      await db.selectFrom('conversations').select('id').where('customer_id', '=', customerId).execute()
    ).map((r) => r.id);
    let messages = 0;
    let pendingWebhooks = 0;
    // The features' part: attachment files and keys, the customer's live streams (after commit).
    features = await hooks.customerErased(tx, { customerId, conversationIds: conversations });
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
    // Conversations cascade to what hangs off them (inbox threads, blocks, attachment links).
    await db.deleteFrom('conversations').where('customer_id', '=', customerId).execute();
    await db.deleteFrom('customers').where('id', '=', customerId).execute();
    const done: ErasureReport = {
      customerId,
      conversations: conversations.length,
      messages,
      pendingWebhooks,
      keys,
      attachments: features.attachments,
    };
    if (onCommit !== undefined) await onCommit(tx, done);
    return done;
  });
  await features?.afterCommit();
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
  hooks: PrivacyHookRegistry,
  customerId: string,
  conversationId: string,
  onCommit?: (tx: WriteTx, report: HistoryErasureReport) => Promise<void>,
): Promise<HistoryErasureReport> {
  await ctx.storage.vault.eraseConversation(customerId, conversationId);
  let features: ErasureOutcome | undefined;
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
    // The features' part: files sent only here go, and the conversation's copies of file keys.
    features = await hooks.conversationErased(tx, { customerId, conversationId });
    const messages = Number(
      (await db.deleteFrom('messages').where('conversation_id', '=', conversationId).executeTakeFirst()).numDeletedRows,
    );
    const done = { conversationId, messages, pendingWebhooks, attachments: features.attachments };
    if (onCommit !== undefined) await onCommit(tx, done);
    return done;
  });
  await features?.afterCommit();
  await checkpointWal(ctx);
  return report;
}

/** The audit record of a customer's erasure (counts only). */
export function customerErasedEntry(report: ErasureReport, actor: string, at: number): AuditEntry {
  return {
    at,
    actor,
    action: 'customer.erased',
    customerId: report.customerId,
    details: {
      conversations: report.conversations,
      messages: report.messages,
      pending_webhooks: report.pendingWebhooks,
      keys: report.keys,
      attachments: report.attachments,
    },
  };
}

/** The audit record of a conversation's history erased by its customer (counts only). */
export function historyErasedEntry(report: HistoryErasureReport, customerId: string, at: number): AuditEntry {
  return {
    at,
    actor: `customer:${customerId}`,
    action: 'conversation.history_erased',
    customerId,
    target: `conversation:${report.conversationId}`,
    details: {
      messages: report.messages,
      pending_webhooks: report.pendingWebhooks,
      attachments: report.attachments,
    },
  };
}

/** SQLite: move committed deletions out of the WAL so the old pages stop lingering there. */
async function checkpointWal(ctx: HubContext): Promise<void> {
  if (ctx.storage.dialect !== 'sqlite') return;
  await sql`pragma wal_checkpoint(TRUNCATE)`.execute(ctx.storage.db).catch(() => undefined);
}

/**
 * Retention per content kind: messages older than RETENTION_MESSAGE_DAYS and delivered
 * webhook payloads older than RETENTION_WEBHOOK_DAYS are deleted (0 keeps them). Pending
 * webhooks are never swept: the business has not received them yet. The customer's
 * stream skips events whose message is gone.
 *
 * Files go with the messages that carried them: a conversation's copy of a file key is
 * deleted once no message of that conversation carries the file any more, and a single-use
 * file no message carries any more is deleted, row and blob. Reusable files stay: they are
 * the page's, to send again. The attachments feature does that part (its `messagesExpired`
 * hook, hooks.ts).
 */
import type { HubContext } from '../context.js';
import type { PrivacyHookRegistry } from './hooks.js';

const DAY_MS = 86_400_000;
const BATCH = 1_000;

export interface RetentionReport {
  messages: number;
  webhooks: number;
  /** Single-use attachment files deleted with the last message that carried them. */
  attachments: number;
}

/** One sweep, in batches so no transaction grows large; safe from several processes. */
export async function sweepRetention(ctx: HubContext, hooks: PrivacyHookRegistry): Promise<RetentionReport> {
  const now = ctx.now();
  const report: RetentionReport = { messages: 0, webhooks: 0, attachments: 0 };
  if (ctx.config.RETENTION_MESSAGE_DAYS > 0) {
    const before = now - ctx.config.RETENTION_MESSAGE_DAYS * DAY_MS;
    for (;;) {
      const n = await ctx.storage.writes.run(async (tx) => {
        const ids = (
          await tx.db.selectFrom('messages').select('id').where('created_at', '<', before).limit(BATCH).execute()
        ).map((r) => r.id);
        if (ids.length === 0) return 0;
        await tx.db.deleteFrom('messages').where('id', 'in', ids).execute();
        return ids.length;
      });
      report.messages += n;
      if (n < BATCH) break;
    }
    report.attachments += (await hooks.messagesExpired(before, BATCH)).attachments;
  }
  if (ctx.config.RETENTION_WEBHOOK_DAYS > 0) {
    const before = now - ctx.config.RETENTION_WEBHOOK_DAYS * DAY_MS;
    for (;;) {
      const n = await ctx.storage.writes.run(async (tx) => {
        const ids = (
          await tx.db
            .selectFrom('webhook_outbox')
            .select('id')
            // Read by app through the (app_id, delivered_at, id) index (apps are never deleted).
            .where('app_id', 'in', (eb) => eb.selectFrom('apps as registered').select('registered.id'))
            .where('delivered_at', 'is not', null)
            .where('delivered_at', '<', before)
            .limit(BATCH)
            .execute()
        ).map((r) => r.id);
        if (ids.length === 0) return 0;
        await tx.db.deleteFrom('webhook_outbox').where('id', 'in', ids).execute();
        return ids.length;
      });
      report.webhooks += n;
      if (n < BATCH) break;
    }
  }
  return report;
}

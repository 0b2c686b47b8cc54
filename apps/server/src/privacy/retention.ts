/**
 * Retention per content kind: messages older than RETENTION_MESSAGE_DAYS and delivered
 * webhook payloads older than RETENTION_WEBHOOK_DAYS are deleted (0 keeps them). Pending
 * webhooks are never swept: the business has not received them yet. The customer's
 * stream skips events whose message is gone.
 *
 * Files go with the messages that carried them: a conversation's copy of a file key is
 * deleted once no message of that conversation carries the file any more, and a single-use
 * file no message carries any more is deleted, row and blob. Reusable files stay: they are
 * the page's, to send again.
 */
import type { HubContext } from '../context.js';
import type { BlobStore } from '../features/attachments/blob-store.js';

const DAY_MS = 86_400_000;
const BATCH = 1_000;

export interface RetentionReport {
  messages: number;
  webhooks: number;
  /** Single-use attachment files deleted with the last message that carried them. */
  attachments: number;
}

/** One sweep, in batches so no transaction grows large; safe from several processes. */
export async function sweepRetention(ctx: HubContext, blobs?: BlobStore): Promise<RetentionReport> {
  const now = ctx.now();
  const report: RetentionReport = { messages: 0, webhooks: 0, attachments: 0 };
  if (ctx.config.RETENTION_MESSAGE_DAYS > 0) {
    const before = now - ctx.config.RETENTION_MESSAGE_DAYS * DAY_MS;
    for (;;) {
      const n = await ctx.storage.writes.run(async (tx) => {
        const ids = (await tx.db.selectFrom('messages').select('id').where('created_at', '<', before).limit(BATCH).execute()).map((r) => r.id);
        if (ids.length === 0) return 0;
        await tx.db.deleteFrom('messages').where('id', 'in', ids).execute();
        return ids.length;
      });
      report.messages += n;
      if (n < BATCH) break;
    }
    for (;;) {
      const swept = await sweepFileLinks(ctx, before);
      report.attachments += swept.files.length;
      for (const key of swept.files) {
        await blobs?.delete(key).catch((err: unknown) => ctx.log.warn({ err }, 'retention: could not delete an attachment file'));
      }
      if (swept.links < BATCH) break;
    }
  }
  if (ctx.config.RETENTION_WEBHOOK_DAYS > 0) {
    const before = now - ctx.config.RETENTION_WEBHOOK_DAYS * DAY_MS;
    for (;;) {
      const n = await ctx.storage.writes.run(async (tx) => {
        const ids = (
          await tx.db
            .selectFrom('webhook_outbox')
            .select('id')
            // Read through the (app_id, created_at) index: delivered before the cutoff means created before it.
            .where('app_id', 'in', (eb) => eb.selectFrom('apps as registered').select('registered.id'))
            .where('created_at', '<', before)
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

/**
 * One batch of file links older than `before` (a link is as old as its message): the links,
 * the conversation copies of file keys no message of that conversation needs any more, and
 * the single-use files no message carries any more. Returns the blob keys to delete once
 * committed.
 */
async function sweepFileLinks(ctx: HubContext, before: number): Promise<{ links: number; files: string[] }> {
  return ctx.storage.writes.run(async (tx) => {
    const db = tx.db;
    const links = await db.selectFrom('message_attachments').select('attachment_id').where('created_at', '<', before).limit(BATCH).execute();
    if (links.length === 0) return { links: 0, files: [] };
    const ids = [...new Set(links.map((l) => l.attachment_id))];
    await db.deleteFrom('message_attachments').where('attachment_id', 'in', ids).where('created_at', '<', before).execute();
    await db
      .deleteFrom('attachment_keys')
      .where('attachment_id', 'in', ids)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('message_attachments as ma')
              .select('ma.mid')
              .whereRef('ma.attachment_id', '=', 'attachment_keys.attachment_id')
              .whereRef('ma.conversation_id', '=', 'attachment_keys.conversation_id'),
          ),
        ),
      )
      .execute();
    const orphans = await db
      .selectFrom('attachments as a')
      .select(['a.id', 'a.blob_key'])
      .where('a.id', 'in', ids)
      .where('a.is_reusable', '=', 0)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('message_attachments as ma').select('ma.mid').whereRef('ma.attachment_id', '=', 'a.id'))))
      .execute();
    if (orphans.length > 0)
      await db
        .deleteFrom('attachments')
        .where(
          'id',
          'in',
          orphans.map((o) => o.id),
        )
        .execute();
    return { links: links.length, files: orphans.flatMap((o) => (o.blob_key === null ? [] : [o.blob_key])) };
  });
}

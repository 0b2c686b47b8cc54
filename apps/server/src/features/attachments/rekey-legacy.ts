/**
 * Moves attachment files stored before per-file keys (migration 009) to the current
 * scheme: each legacy file (hub-wide blob key, or plain bytes from before encryption at
 * rest) is re-sealed under a new file key, written as a new blob, and its key wrapped
 * for every conversation it was sent to, and for the page when the page may still send
 * it. The old blob is deleted once the row points at the new one. Safe to run again and
 * from several processes: a row is switched only if it still points at the blob read.
 * Run by `confide keys rekey-attachments`.
 */
import type { HubContext } from '../../context.js';
import { AttachmentFiles } from '../../privacy/attachment-files.js';
import type { Access } from '../../privacy/purposes.js';
import { grantFileKey } from './attachments.js';
import type { BlobStore } from './blob-store.js';

export interface RekeyReport {
  /** Files re-sealed under their own key. */
  rekeyed: number;
  /** Legacy rows whose blob is gone (nothing to protect). */
  missing: number;
  /** Legacy files that could not be read or re-sealed (see the log). */
  failed: number;
  /** Legacy rows left, including `missing` ones. */
  remaining: number;
}

const ACCESS: Access = { purpose: 'deliver_to_customer', actor: 'rekey-attachments' };

export async function rekeyLegacyAttachments(ctx: HubContext, blobs: BlobStore, batch = 100): Promise<RekeyReport> {
  const db = ctx.storage.db;
  const files = new AttachmentFiles(blobs, ctx.storage.vault);
  const report: RekeyReport = { rekeyed: 0, missing: 0, failed: 0, remaining: 0 };
  const legacy = () =>
    db
      .selectFrom('attachments as a')
      .where('a.blob_key', 'is not', null)
      .where('a.key_enc', 'is', null)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('attachment_keys as k').select('k.attachment_id').whereRef('k.attachment_id', '=', 'a.id'))));
  let after = '';
  for (;;) {
    const rows = await legacy().selectAll('a').where('a.id', '>', after).orderBy('a.id').limit(batch).execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      after = row.id;
      const oldKey = row.blob_key as string;
      let data: Buffer | undefined;
      try {
        data = await files.readLegacy(ACCESS, oldKey);
      } catch (err) {
        report.failed += 1;
        ctx.log.warn({ attachmentId: row.id, err }, 'legacy attachment file could not be opened');
        continue;
      }
      if (data === undefined) {
        report.missing += 1;
        continue;
      }
      const links = await db
        .selectFrom('message_attachments as ma')
        .innerJoin('conversations as c', 'c.id', 'ma.conversation_id')
        .select(['c.id as conversation_id', 'c.customer_id'])
        .distinct()
        .where('ma.attachment_id', '=', row.id)
        .execute();
      const put = await files.put(data);
      let switched = false;
      try {
        switched = await ctx.storage.writes.run(async (tx) => {
          // The page keeps a copy while it may send the file: reusable, or single-use and not sent yet.
          const pageCopy = row.is_reusable === 1 || links.length === 0;
          const keyEnc = pageCopy ? await tx.vault.wrapFileKey({ kind: 'page', pageId: row.page_id }, row.id, put.fileKey) : null;
          const updated = await tx.db
            .updateTable('attachments')
            .set({ blob_key: put.blobKey, key_enc: keyEnc })
            .where('id', '=', row.id)
            .where('blob_key', '=', oldKey)
            .where('key_enc', 'is', null)
            .executeTakeFirst();
          if (Number(updated.numUpdatedRows) !== 1) return false;
          for (const link of links) {
            await grantFileKey(tx, {
              attachmentId: row.id,
              customerId: link.customer_id,
              conversationId: link.conversation_id,
              fileKey: put.fileKey,
              now: ctx.now(),
            });
          }
          return true;
        });
      } catch (err) {
        report.failed += 1;
        ctx.log.warn({ attachmentId: row.id, err }, 'legacy attachment file could not be re-sealed');
      }
      // Whichever blob lost is removed: the old one once the row moved, or ours otherwise.
      await blobs.delete(switched ? oldKey : put.blobKey).catch(() => undefined);
      if (switched) report.rekeyed += 1;
    }
  }
  const left = await legacy()
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  report.remaining = Number(left.n);
  return report;
}

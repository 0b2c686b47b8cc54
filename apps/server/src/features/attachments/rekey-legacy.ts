/**
 * Moves attachment files stored before per-file keys (migration 009) to the current
 * scheme: each legacy file (hub-wide blob key, or plain bytes from before encryption at
 * rest) is re-sealed under a new file key, written as a new blob, and its key wrapped
 * for every conversation it was sent to, and for the page when the page may still send
 * it. The old blob is deleted once the row points at the new one. Safe to run again and
 * from several processes: a row is switched only if it still points at the blob read.
 * The same command seals the clear names of files uploaded before names were sealed
 * (migration 013) under each file's key. Run by `confide keys rekey-attachments`.
 */
import type { HubContext } from '../../context.js';
import { AttachmentFiles } from '../../privacy/attachment-files.js';
import type { RekeyReport } from '../../privacy/hooks.js';
import type { Access } from '../../privacy/purposes.js';
import type { FileKey } from '../../privacy/vault.js';
import { grantFileKey } from './attachments.js';
import type { BlobStore } from './blob-store.js';

export type { RekeyReport } from '../../privacy/hooks.js';

const ACCESS: Access = { purpose: 'deliver_to_customer', actor: 'rekey-attachments' };

export async function rekeyLegacyAttachments(ctx: HubContext, blobs: BlobStore, batch = 100): Promise<RekeyReport> {
  const db = ctx.storage.db;
  const files = new AttachmentFiles(blobs, ctx.storage.vault);
  const report: RekeyReport = { rekeyed: 0, missing: 0, failed: 0, remaining: 0, namesSealed: 0 };
  const legacy = () =>
    db
      .selectFrom('attachments as a')
      .where('a.blob_key', 'is not', null)
      .where('a.key_enc', 'is', null)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb.selectFrom('attachment_keys as k').select('k.attachment_id').whereRef('k.attachment_id', '=', 'a.id'),
          ),
        ),
      );
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
          const keyEnc = pageCopy
            ? await tx.vault.wrapFileKey({ kind: 'page', pageId: row.page_id }, row.id, put.fileKey)
            : null;
          const name =
            row.filename === null
              ? {}
              : { filename: null, filename_enc: tx.vault.sealFileName(put.fileKey, row.id, row.filename) };
          const updated = await tx.db
            .updateTable('attachments')
            .set({ blob_key: put.blobKey, key_enc: keyEnc, ...name })
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
      if (switched && row.filename !== null) report.namesSealed += 1;
    }
  }
  report.namesSealed += await sealClearFileNames(ctx, batch);
  const left = await legacy()
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  report.remaining = Number(left.n);
  return report;
}

/**
 * Seals the clear names of files that have their own key (uploaded before migration 013):
 * the key is opened through the page's copy, or else a conversation's copy. Returns how
 * many names were sealed; a file whose key no longer opens (erased) keeps its row as is.
 */
async function sealClearFileNames(ctx: HubContext, batch: number): Promise<number> {
  const db = ctx.storage.db;
  const vault = ctx.storage.vault;
  let sealed = 0;
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('attachments')
      .select(['id', 'page_id', 'filename', 'key_enc'])
      .where('filename', 'is not', null)
      .where('blob_key', 'is not', null)
      .where('id', '>', after)
      .orderBy('id')
      .limit(batch)
      .execute();
    if (rows.length === 0) return sealed;
    for (const row of rows) {
      after = row.id;
      let fileKey: FileKey | undefined;
      try {
        if (row.key_enc !== null) {
          fileKey = await vault.openFileKey(ACCESS, { kind: 'page', pageId: row.page_id }, row.id, row.key_enc);
        } else {
          const copy = await db
            .selectFrom('attachment_keys')
            .select(['customer_id', 'conversation_id', 'key_enc'])
            .where('attachment_id', '=', row.id)
            .limit(1)
            .executeTakeFirst();
          if (copy === undefined) continue; // a legacy file: its name is sealed when it is re-sealed
          const owner = {
            kind: 'conversation',
            customerId: copy.customer_id,
            conversationId: copy.conversation_id,
          } as const;
          fileKey = await vault.openFileKey(ACCESS, owner, row.id, copy.key_enc);
        }
      } catch (err) {
        ctx.log.warn({ attachmentId: row.id, err }, 'the key of an attachment could not be opened to seal its name');
        continue;
      }
      const name = row.filename as string;
      const key = fileKey;
      const updated = await ctx.storage.writes.run((tx) =>
        tx.db
          .updateTable('attachments')
          .set({ filename: null, filename_enc: tx.vault.sealFileName(key, row.id, name) })
          .where('id', '=', row.id)
          .where('filename', '=', name)
          .executeTakeFirst(),
      );
      if (Number(updated.numUpdatedRows) === 1) sealed += 1;
    }
  }
}

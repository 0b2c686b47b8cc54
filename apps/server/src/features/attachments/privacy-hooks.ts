/**
 * The attachments feature's part in privacy (privacy/hooks.ts): on erasure the files that
 * were the customer's alone go (rows in the erasure's transaction, blobs after commit) with
 * the conversations' copies of file keys; retention removes files with the last message
 * that carried them; the export lists each conversation's files, embedded up to the
 * export's limit; and `confide keys rekey-attachments` re-seals legacy files.
 */
import type { HubContext } from '../../context.js';
import { AttachmentFiles } from '../../privacy/attachment-files.js';
import type { EmbedBudget, ExportedAttachment, PrivacyHooks } from '../../privacy/hooks.js';
import { ContentErasedError, type Access } from '../../privacy/purposes.js';
import type { BlobStore } from '../../storage/blob-store.js';
import {
  attachmentPayload,
  deleteFileBlobs,
  openCustomerFile,
  removeConversationFiles,
  removeFileLinksBefore,
} from './attachments.js';
import { rekeyLegacyAttachments } from './rekey-legacy.js';

export function attachmentPrivacyHooks(ctx: HubContext, blobs: BlobStore): PrivacyHooks {
  const files = new AttachmentFiles(blobs, ctx.storage.vault);
  const afterCommit = (keys: string[]) => () => deleteFileBlobs(ctx, blobs, keys);
  return {
    async customerErased(tx, { customerId, conversationIds }) {
      const removed = await removeConversationFiles(tx.db, conversationIds);
      await tx.db.deleteFrom('attachment_keys').where('customer_id', '=', customerId).execute();
      return { attachments: removed.length, afterCommit: afterCommit(removed) };
    },
    async conversationErased(tx, { conversationId }) {
      const removed = await removeConversationFiles(tx.db, [conversationId]);
      await tx.db.deleteFrom('attachment_keys').where('conversation_id', '=', conversationId).execute();
      await tx.db.deleteFrom('message_attachments').where('conversation_id', '=', conversationId).execute();
      return { attachments: removed.length, afterCommit: afterCommit(removed) };
    },
    async messagesExpired(before, batch) {
      let attachments = 0;
      for (;;) {
        const swept = await ctx.storage.writes.run((tx) => removeFileLinksBefore(tx.db, before, batch));
        attachments += swept.files.length;
        await deleteFileBlobs(ctx, blobs, swept.files);
        if (swept.links < batch) break;
      }
      return { attachments };
    },
    exportAttachments: (customerId, conversationId, access, budget) =>
      exportAttachments(ctx, files, customerId, conversationId, access, budget),
    rekeyLegacyFiles: () => rekeyLegacyAttachments(ctx, blobs),
  };
}

/** The files sent in one conversation, as the customer's export lists them. */
async function exportAttachments(
  ctx: HubContext,
  files: AttachmentFiles,
  customerId: string,
  conversationId: string,
  access: Access,
  budget: EmbedBudget,
): Promise<ExportedAttachment[]> {
  const sent = await ctx.storage.db
    .selectFrom('message_attachments as ma')
    .innerJoin('attachments as a', 'a.id', 'ma.attachment_id')
    .leftJoin('messages as m', 'm.mid', 'ma.mid')
    .select([
      'a.id',
      'a.type',
      'a.filename',
      'a.filename_enc',
      'a.content_type',
      'a.size',
      'a.url',
      'a.blob_key',
      'ma.mid',
      'ma.created_at',
    ])
    .where('ma.conversation_id', '=', conversationId)
    .orderBy('ma.created_at')
    .orderBy('m.id')
    .orderBy('a.id')
    .execute();
  const attachments: ExportedAttachment[] = [];
  for (const a of sent) {
    let content: Buffer | undefined;
    let filename = a.filename;
    if (a.blob_key !== null) {
      // Past the size budget only the name is opened; the file downloads from its path.
      const embed = budget.embedded + Number(a.size ?? 0) <= budget.limit;
      const file = await openCustomerFile(ctx, files, customerId, a, access, embed).catch((err: unknown) => {
        if (err instanceof ContentErasedError) return undefined;
        throw err;
      });
      content = file?.data;
      filename = file?.name ?? null;
      budget.embedded += content?.length ?? 0;
    }
    attachments.push({
      id: a.id,
      mid: a.mid,
      type: a.type,
      filename,
      content_type: a.content_type,
      size: a.size === null ? null : Number(a.size),
      sent_at: Number(a.created_at),
      url: attachmentPayload(a).url,
      content_base64: content === undefined ? null : content.toString('base64'),
    });
  }
  return attachments;
}

/**
 * Files a customer sends from the composer (a receipt, a screenshot, a statement): photos
 * and PDFs, recognised from their bytes, up to MAX_CUSTOMER_UPLOAD_BYTES. Each is sealed
 * under its own key like any attachment, and that key is wrapped for the conversation only,
 * so erasing the history or the customer shreds the file.
 *
 * The business gets a Messenger `messages` webhook event with `attachments`, each carrying a
 * URL on this hub that answers only to a token of the conversation's page (`openForPage`).
 * The page can never send a customer's file as its own (`findPageAttachment` skips them).
 */
import {
  CUSTOMER_UPLOAD_TYPES,
  MAX_CUSTOMER_UPLOAD_BYTES,
  PlatformError,
  type ChatMessage,
  type CustomerUploadType,
} from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { randomScopedId } from '../../crypto/tokens.js';
import { ContentErasedError, type Access } from '../../privacy/purposes.js';
import type { AttachmentsTable } from '../../storage/schema.js';
import { appendMessage } from '../../timeline/index.js';
import { findConversationOfCustomer } from '../conversations/index.js';
import type { TokenPrincipal } from '../pages/pages.js';
import { attachmentPayload, grantFileKey, type Attachments } from './attachments.js';

/** The path the business fetches a customer's file from (with its page token). */
export const customerFilePath = (attachmentId: string): string => `/platform/attachments/${attachmentId}`;

/** The MIME type of a file the composer accepts, from its first bytes; undefined for anything else. */
export function sniffUploadType(data: Buffer): CustomerUploadType | undefined {
  const starts = (bytes: number[], at = 0) => bytes.every((b, i) => data[at + i] === b);
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (data.subarray(0, 6).toString('latin1') === 'GIF87a' || data.subarray(0, 6).toString('latin1') === 'GIF89a')
    return 'image/gif';
  if (data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP')
    return 'image/webp';
  if (data.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  return undefined;
}

const EXTENSIONS: Record<CustomerUploadType, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
};

/** A file name fit to show and to download under: no paths or control characters, at most 120 characters, a default when empty. */
export function cleanFileName(name: string | undefined, mime: CustomerUploadType): string {
  const base = (name ?? '')
    .split(/[\\/]/)
    .pop()!
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .trim()
    .slice(0, 120);
  if (base !== '' && base !== '.' && base !== '..') return base;
  return `${mime.startsWith('image/') ? 'photo' : 'document'}.${EXTENSIONS[mime]}`;
}

export class CustomerUploads {
  readonly #ctx: HubContext;
  readonly #attachments: Attachments;

  constructor(ctx: HubContext, attachments: Attachments) {
    this.#ctx = ctx;
    this.#attachments = attachments;
  }

  /**
   * Sends a file in one of the customer's conversations: checks it, seals and stores it,
   * records the message and the business's webhook event in one transaction.
   * @throws PlatformError BAD_REQUEST (empty), PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, NOT_FOUND.
   */
  async send(customerId: string, conversationId: string, data: Buffer, name: string | undefined): Promise<ChatMessage> {
    if (data.length === 0) throw new PlatformError('BAD_REQUEST', { message: 'That file is empty.' });
    if (data.length > MAX_CUSTOMER_UPLOAD_BYTES) {
      throw new PlatformError('PAYLOAD_TOO_LARGE', {
        message: `Files can be up to ${MAX_CUSTOMER_UPLOAD_BYTES / 1024 / 1024} MB.`,
      });
    }
    const mime = sniffUploadType(data);
    if (mime === undefined)
      throw new PlatformError('UNSUPPORTED_MEDIA_TYPE', {
        message: 'Only photos (JPEG, PNG, GIF, WebP) and PDF documents can be sent.',
      });
    const type = CUSTOMER_UPLOAD_TYPES[mime];
    const fileName = cleanFileName(name, mime);
    const files = this.#attachments.files;
    const { blobKey, fileKey } = await files.put(data);
    try {
      const message = await this.#ctx.storage.writes.run(async (tx) => {
        const conv = await findConversationOfCustomer(tx.db, customerId, conversationId);
        if (conv === undefined) throw new PlatformError('NOT_FOUND');
        const now = this.#ctx.now();
        const id = randomScopedId();
        const row: AttachmentsTable = {
          id,
          page_id: conv.page_id,
          app_id: '',
          type,
          blob_key: blobKey,
          url: null,
          content_type: mime,
          filename: null,
          filename_enc: tx.vault.sealFileName(fileKey, id, fileName),
          size: data.length,
          is_reusable: 0,
          from_customer: 1,
          created_at: now,
          // The file is the conversation's alone: no page copy of its key.
          key_enc: null,
        };
        await tx.db.insertInto('attachments').values(row).execute();
        await grantFileKey(tx, { attachmentId: id, customerId, conversationId: conv.id, fileKey, now });
        const recorded = await appendMessage(tx, this.#ctx.bus, {
          conversation: conv,
          direction: 'in',
          body: { attachments: [{ type, payload: { ...attachmentPayload(row), name: fileName, size: data.length } }] },
          // The business sees Messenger's shape: the type and a URL it fetches with its page token.
          webhookBody: {
            attachments: [{ type, payload: { url: `${this.#ctx.config.publicUrl}${customerFilePath(id)}` } }],
          },
          now,
        });
        await tx.db
          .insertInto('message_attachments')
          .values({ attachment_id: id, conversation_id: conv.id, mid: recorded.mid, created_at: now })
          .execute();
        return recorded;
      });
      this.#ctx.metrics.messagesStored.inc({ direction: 'in' });
      return message;
    } catch (err) {
      await files.store.delete(blobKey).catch(() => undefined);
      throw err;
    }
  }

  /**
   * A customer's file for a token of the page it was sent to: its bytes, type and name.
   * Any other page, a business's own upload, or an erased file answer UNKNOWN_OBJECT alike.
   */
  async openForPage(
    principal: TokenPrincipal,
    attachmentId: string,
  ): Promise<{ data: Buffer; mime: string; name: string }> {
    const db = this.#ctx.storage.db;
    const found = await db
      .selectFrom('attachments as a')
      .innerJoin('attachment_keys as k', 'k.attachment_id', 'a.id')
      .select([
        'a.id',
        'a.blob_key',
        'a.content_type',
        'a.filename_enc',
        'k.conversation_id',
        'k.customer_id',
        'k.key_enc',
      ])
      .where('a.id', '=', attachmentId)
      .where('a.page_id', '=', principal.pageId)
      .where('a.from_customer', '=', 1)
      .executeTakeFirst();
    if (found === undefined || found.blob_key === null) throw new PlatformError('UNKNOWN_OBJECT');
    const access: Access = { purpose: 'deliver_to_business', actor: `app:${principal.appId}` };
    try {
      const owner = {
        kind: 'conversation',
        customerId: found.customer_id,
        conversationId: found.conversation_id,
      } as const;
      const fileKey = await this.#ctx.storage.vault.openFileKey(access, owner, found.id, found.key_enc);
      const data = await this.#attachments.files.read(found.blob_key, fileKey);
      if (data === undefined) throw new PlatformError('UNKNOWN_OBJECT');
      const name =
        found.filename_enc === null
          ? 'attachment'
          : this.#ctx.storage.vault.openFileName(fileKey, found.id, found.filename_enc);
      return { data, mime: found.content_type ?? 'application/octet-stream', name };
    } catch (err) {
      if (err instanceof ContentErasedError) throw new PlatformError('UNKNOWN_OBJECT');
      throw err;
    }
  }
}

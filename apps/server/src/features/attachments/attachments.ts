/**
 * Attachments a business uploads (`POST /me/message_attachments`) and sends by
 * `attachment_id`. Files go to the blob store; URL uploads are kept as references and
 * never fetched by the hub. A customer can read an attachment only once it was sent in
 * one of their conversations.
 */
import { PlatformError, type MediaType } from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { HubContext } from '../../context.js';
import { randomScopedId } from '../../crypto/tokens.js';
import type { UploadedFile } from '../../http/graph-request.js';
import type { AttachmentsTable, Database } from '../../storage/schema.js';
import type { WriteTx } from '../../storage/write-queue.js';
import type { TokenPrincipal } from '../pages/pages.js';
import type { BlobStore } from './blob-store.js';

/** What to store for a new attachment: uploaded bytes or a URL reference. */
export type AttachmentSource = { kind: 'file'; file: UploadedFile } | { kind: 'url'; url: string };

/** The stored payload of a sent attachment: its id and where the customer's app loads it from. */
export function attachmentPayload(row: Pick<AttachmentsTable, 'id' | 'url' | 'blob_key'>): { attachment_id: string; url: string } {
  return { attachment_id: row.id, url: row.blob_key === null ? (row.url as string) : `/api/attachments/${row.id}` };
}

export class Attachments {
  private readonly ctx: HubContext;
  readonly blobs: BlobStore;
  constructor(ctx: HubContext, blobs: BlobStore) {
    this.ctx = ctx;
    this.blobs = blobs;
  }

  /** Stores an upload and returns its row; bytes are written before the row and removed if the row fails. */
  async upload(principal: TokenPrincipal, type: MediaType, source: AttachmentSource, isReusable: boolean): Promise<AttachmentsTable> {
    const blobKey = source.kind === 'file' ? await this.#putFile(source.file) : null;
    try {
      return await this.ctx.storage.writes.run((tx) => this.insert(tx, principal, type, source, isReusable, blobKey));
    } catch (err) {
      if (blobKey !== null) await this.blobs.delete(blobKey).catch(() => undefined);
      throw err;
    }
  }

  /** Writes the blob of a file that will be inserted later in a send's transaction. */
  async stage(file: UploadedFile): Promise<string> {
    return this.#putFile(file);
  }

  /** Inserts the attachment row inside a caller's transaction. */
  async insert(
    tx: WriteTx,
    principal: TokenPrincipal,
    type: MediaType,
    source: AttachmentSource,
    isReusable: boolean,
    blobKey: string | null,
  ): Promise<AttachmentsTable> {
    const row: AttachmentsTable = {
      id: randomScopedId(),
      page_id: principal.pageId,
      app_id: principal.appId,
      type,
      blob_key: blobKey,
      url: source.kind === 'url' ? source.url : null,
      content_type: source.kind === 'file' ? safeMime(source.file.mimetype) : null,
      filename: source.kind === 'file' ? source.file.filename.slice(0, 255) : null,
      size: source.kind === 'file' ? source.file.data.length : null,
      is_reusable: isReusable ? 1 : 0,
      created_at: this.ctx.now(),
    };
    await tx.db.insertInto('attachments').values(row).execute();
    return row;
  }

  /** The bytes (or URL) of an attachment sent to this customer; NOT_FOUND otherwise, with no difference. */
  async openForCustomer(customerId: string, attachmentId: string): Promise<{ row: AttachmentsTable; data: Buffer | undefined }> {
    const row = await this.ctx.storage.db
      .selectFrom('attachments as a')
      .selectAll('a')
      .where('a.id', '=', attachmentId)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('message_attachments as ma')
            .innerJoin('conversations as c', 'c.id', 'ma.conversation_id')
            .select('ma.mid')
            .whereRef('ma.attachment_id', '=', 'a.id')
            .where('c.customer_id', '=', customerId),
        ),
      )
      .executeTakeFirst();
    if (row === undefined) throw new PlatformError('NOT_FOUND');
    if (row.blob_key === null) return { row, data: undefined };
    const data = await this.blobs.get(row.blob_key);
    if (data === undefined) throw new PlatformError('NOT_FOUND');
    return { row, data };
  }

  async #putFile(file: UploadedFile): Promise<string> {
    if (file.data.length === 0) throw new PlatformError('ATTACHMENT_UPLOAD_FAILED', { message: 'The uploaded file is empty.' });
    return this.blobs.put(file.data);
  }
}

/** An attachment of this page usable in a send, or undefined (another page's id looks unknown). */
export function findPageAttachment(db: Kysely<Database>, pageId: string, attachmentId: string): Promise<AttachmentsTable | undefined> {
  return db.selectFrom('attachments').selectAll().where('id', '=', attachmentId).where('page_id', '=', pageId).executeTakeFirst();
}

function safeMime(mime: string): string {
  return /^[\w.+-]{1,64}\/[\w.+-]{1,128}$/.test(mime) ? mime.toLowerCase() : 'application/octet-stream';
}

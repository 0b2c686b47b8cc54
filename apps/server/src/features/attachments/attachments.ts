/**
 * Attachments a business uploads (`POST /me/message_attachments`) and sends by
 * `attachment_id`. Files go to the blob store; URL uploads are kept as references and
 * never fetched by the hub. A customer can read an attachment only once it was sent in
 * one of their conversations.
 *
 * Keys (docs/privacy.md §1): each file is sealed under its own key. While the page may
 * send the file (a reusable file, or a single-use upload not sent yet) the key is kept
 * wrapped under the page's attachment key (`attachments.key_enc`). Sending the file to a
 * conversation wraps the key for that conversation (`attachment_keys`), and the customer
 * downloads through that copy only, so erasing the customer or that history shreds it. A
 * single-use file then belongs to its conversation alone: the page's copy is dropped.
 */
import { PlatformError, type MediaType } from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { HubContext } from '../../context.js';
import { randomScopedId } from '../../crypto/tokens.js';
import type { UploadedFile } from '../../http/graph-request.js';
import { AttachmentFiles } from '../../privacy/attachment-files.js';
import { ContentErasedError, type Access } from '../../privacy/purposes.js';
import type { FileKey } from '../../privacy/vault.js';
import type { AttachmentsTable, Database } from '../../storage/schema.js';
import type { WriteTx } from '../../storage/write-queue.js';
import type { ConversationRow } from '../conversations/index.js';
import type { TokenPrincipal } from '../pages/pages.js';
import type { BlobStore } from './blob-store.js';

/** What to store for a new attachment: uploaded bytes or a URL reference. */
export type AttachmentSource = { kind: 'file'; file: UploadedFile } | { kind: 'url'; url: string };

/** The stored payload of a sent attachment: its id and where the customer's app loads it from. */
export function attachmentPayload(row: Pick<AttachmentsTable, 'id' | 'url' | 'blob_key'>): {
  attachment_id: string;
  url: string;
} {
  return { attachment_id: row.id, url: row.blob_key === null ? (row.url as string) : `/api/attachments/${row.id}` };
}

/** How long the key of a file staged for a send is kept in memory at most. */
const STAGED_MAX_AGE_MS = 10 * 60_000;

export class Attachments {
  private readonly ctx: HubContext;
  /** The blob store itself (ciphertext only); the Send API removes a staged blob through it when its send fails. */
  readonly blobs: BlobStore;
  readonly files: AttachmentFiles;
  /** Keys of files written before their send's transaction, by blob key. */
  readonly #staged = new Map<string, { fileKey: FileKey; at: number }>();

  constructor(ctx: HubContext, blobs: BlobStore) {
    this.ctx = ctx;
    this.blobs = blobs;
    this.files = new AttachmentFiles(blobs, ctx.storage.vault);
  }

  /** Stores an upload and returns its row; bytes are written before the row and removed if the row fails. */
  async upload(
    principal: TokenPrincipal,
    type: MediaType,
    source: AttachmentSource,
    isReusable: boolean,
  ): Promise<AttachmentsTable> {
    const put = source.kind === 'file' ? await this.#putFile(source.file) : undefined;
    try {
      // An upload is the page's until it is sent: it keeps a copy of the key either way.
      return await this.ctx.storage.writes.run((tx) =>
        this.#insert(tx, principal, type, source, isReusable, put, true),
      );
    } catch (err) {
      if (put !== undefined) await this.blobs.delete(put.blobKey).catch(() => undefined);
      throw err;
    }
  }

  /** Writes the blob of a file that will be inserted later in a send's transaction. */
  async stage(file: UploadedFile): Promise<string> {
    const now = Date.now();
    for (const [key, staged] of this.#staged) if (now - staged.at > STAGED_MAX_AGE_MS) this.#staged.delete(key);
    const { blobKey, fileKey } = await this.#putFile(file);
    this.#staged.set(blobKey, { fileKey, at: now });
    return blobKey;
  }

  /** Inserts the attachment row inside a caller's transaction (a staged file, or a URL reference). */
  async insert(
    tx: WriteTx,
    principal: TokenPrincipal,
    type: MediaType,
    source: AttachmentSource,
    isReusable: boolean,
    blobKey: string | null,
  ): Promise<AttachmentsTable> {
    let put: { blobKey: string; fileKey: FileKey } | undefined;
    if (blobKey !== null) {
      const staged = this.#staged.get(blobKey);
      if (staged === undefined) throw new Error('The staged file is no longer known (its key expired); send it again');
      put = { blobKey, fileKey: staged.fileKey };
      tx.afterCommit(() => this.#staged.delete(blobKey));
    }
    // A single-use file sent with its message goes to that conversation only.
    return this.#insert(tx, principal, type, source, isReusable, put, isReusable);
  }

  /**
   * Lets a conversation open a file sent to it: wraps the file key under the conversation's
   * key, inside the send's transaction. A single-use file then belongs to that conversation
   * only (the page's copy of the key is dropped).
   * @returns false when the file cannot go to this conversation: a single-use file already
   * sent to another one.
   */
  async shareWith(tx: WriteTx, row: AttachmentsTable, conv: ConversationRow): Promise<boolean> {
    if (row.blob_key === null) return true;
    const holders = await tx.db
      .selectFrom('attachment_keys')
      .select('conversation_id')
      .where('attachment_id', '=', row.id)
      .execute();
    if (holders.some((h) => h.conversation_id === conv.id)) return true;
    let fileKey = this.#staged.get(row.blob_key)?.fileKey;
    if (fileKey === undefined) {
      // No page copy: a single-use file sent elsewhere already, or a file stored before
      // per-file keys (no copies at all), which is still read with the hub-wide key.
      if (row.key_enc === null) return holders.length === 0;
      const access: Access = { purpose: 'deliver_to_customer', actor: `app:${row.app_id}` };
      fileKey = await tx.vault.openFileKey(access, { kind: 'page', pageId: row.page_id }, row.id, row.key_enc);
    }
    await grantFileKey(tx, {
      attachmentId: row.id,
      customerId: conv.customer_id,
      conversationId: conv.id,
      fileKey,
      now: this.ctx.now(),
    });
    if (row.is_reusable === 0 && row.key_enc !== null) {
      await tx.db.updateTable('attachments').set({ key_enc: null }).where('id', '=', row.id).execute();
      row.key_enc = null;
    }
    return true;
  }

  /**
   * The bytes and name (or URL) of an attachment sent to this customer; NOT_FOUND otherwise,
   * with no difference.
   */
  async openForCustomer(
    customerId: string,
    attachmentId: string,
  ): Promise<{ row: AttachmentsTable; data: Buffer | undefined; name: string | null }> {
    const db = this.ctx.storage.db;
    const row = await db
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
    if (row.blob_key === null) return { row, data: undefined, name: null };
    const access: Access = { purpose: 'deliver_to_customer', actor: `customer:${customerId}` };
    const file = await openCustomerFile(this.ctx, this.files, customerId, row, access).catch((err: unknown) => {
      // Erased meanwhile: the same answer as an attachment that never existed.
      if (err instanceof ContentErasedError) return undefined;
      throw err;
    });
    if (file?.data === undefined) throw new PlatformError('NOT_FOUND');
    return { row, data: file.data, name: file.name };
  }

  async #insert(
    tx: WriteTx,
    principal: TokenPrincipal,
    type: MediaType,
    source: AttachmentSource,
    isReusable: boolean,
    put: { blobKey: string; fileKey: FileKey } | undefined,
    pageCopy: boolean,
  ): Promise<AttachmentsTable> {
    const id = randomScopedId();
    const row: AttachmentsTable = {
      id,
      page_id: principal.pageId,
      app_id: principal.appId,
      type,
      blob_key: put?.blobKey ?? null,
      url: source.kind === 'url' ? source.url : null,
      content_type: source.kind === 'file' ? safeMime(source.file.mimetype) : null,
      // The name is content: sealed under the file's key, never stored in clear.
      filename: null,
      filename_enc:
        source.kind === 'file' && put !== undefined
          ? tx.vault.sealFileName(put.fileKey, id, source.file.filename.slice(0, 255))
          : null,
      size: source.kind === 'file' ? source.file.data.length : null,
      is_reusable: isReusable ? 1 : 0,
      from_customer: 0,
      created_at: this.ctx.now(),
      key_enc:
        put === undefined || !pageCopy
          ? null
          : await tx.vault.wrapFileKey({ kind: 'page', pageId: principal.pageId }, id, put.fileKey),
    };
    await tx.db.insertInto('attachments').values(row).execute();
    return row;
  }

  async #putFile(file: UploadedFile): Promise<{ blobKey: string; fileKey: FileKey }> {
    if (file.data.length === 0)
      throw new PlatformError('ATTACHMENT_UPLOAD_FAILED', { message: 'The uploaded file is empty.' });
    return this.files.put(file.data);
  }
}

/**
 * Gives a conversation its own copy of a file's key, wrapped under the conversation's key, so
 * the file is shredded with that conversation or customer. A copy that exists already stays.
 */
export async function grantFileKey(
  tx: WriteTx,
  grant: { attachmentId: string; customerId: string; conversationId: string; fileKey: FileKey; now: number },
): Promise<void> {
  const owner = { kind: 'conversation', customerId: grant.customerId, conversationId: grant.conversationId } as const;
  await tx.db
    .insertInto('attachment_keys')
    .values({
      attachment_id: grant.attachmentId,
      conversation_id: grant.conversationId,
      customer_id: grant.customerId,
      key_enc: await tx.vault.wrapFileKey(owner, grant.attachmentId, grant.fileKey),
      created_at: grant.now,
    })
    .onConflict((oc) => oc.columns(['attachment_id', 'conversation_id']).doNothing())
    .execute();
}

/** An attachment of this page usable in a send, or undefined (another page's id, or a customer's file, looks unknown). */
export function findPageAttachment(
  db: Kysely<Database>,
  pageId: string,
  attachmentId: string,
): Promise<AttachmentsTable | undefined> {
  // A customer's file is never the page's to send.
  return db
    .selectFrom('attachments')
    .selectAll()
    .where('id', '=', attachmentId)
    .where('page_id', '=', pageId)
    .where('from_customer', '=', 0)
    .executeTakeFirst();
}

function safeMime(mime: string): string {
  return /^[\w.+-]{1,64}\/[\w.+-]{1,128}$/.test(mime) ? mime.toLowerCase() : 'application/octet-stream';
}

/** A file sent to a customer, opened: its bytes (undefined when the blob is gone or not asked for) and its name. */
export interface CustomerFile {
  data: Buffer | undefined;
  name: string | null;
}

/**
 * The bytes and name of a file sent to this customer, opened through their conversation's
 * copy of its key (or, for files stored before per-file keys, the hub-wide blob key); no
 * bytes when the blob is gone or no copy of the key is theirs. `readData: false` opens the
 * name only (an export past its size budget).
 * @throws PurposeDeniedError, ContentErasedError.
 */
export async function openCustomerFile(
  ctx: HubContext,
  files: AttachmentFiles,
  customerId: string,
  row: Pick<AttachmentsTable, 'id' | 'blob_key' | 'filename' | 'filename_enc'>,
  access: Access,
  readData = true,
): Promise<CustomerFile> {
  if (row.blob_key === null) return { data: undefined, name: null };
  const fileKey = await openCustomerFileKey(ctx, customerId, row.id, access);
  if (fileKey === undefined)
    return { data: readData ? await files.readLegacy(access, row.blob_key) : undefined, name: row.filename };
  const name =
    row.filename_enc === null ? row.filename : ctx.storage.vault.openFileName(fileKey, row.id, row.filename_enc);
  return { data: readData ? await files.read(row.blob_key, fileKey) : undefined, name };
}

/** The key of a file through the customer's conversation copy; undefined when they have none (legacy file). */
async function openCustomerFileKey(
  ctx: HubContext,
  customerId: string,
  attachmentId: string,
  access: Access,
): Promise<FileKey | undefined> {
  const copy = await ctx.storage.db
    .selectFrom('attachment_keys')
    .select(['conversation_id', 'key_enc'])
    .where('attachment_id', '=', attachmentId)
    .where('customer_id', '=', customerId)
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
  if (copy === undefined) return undefined;
  const owner = { kind: 'conversation', customerId, conversationId: copy.conversation_id } as const;
  return ctx.storage.vault.openFileKey(access, owner, attachmentId, copy.key_enc);
}

/**
 * Erasure: deletes the rows of single-use files sent only to these conversations (their
 * keys go with the conversations) and returns their blob keys, for the caller to delete
 * once committed. Reusable files stay: they are the page's.
 */
export async function removeConversationFiles(
  db: Kysely<Database>,
  conversationIds: readonly string[],
): Promise<string[]> {
  if (conversationIds.length === 0) return [];
  const rows = await db
    .selectFrom('attachments as a')
    .select(['a.id', 'a.blob_key'])
    .where('a.is_reusable', '=', 0)
    .where('a.blob_key', 'is not', null)
    .where((eb) =>
      eb.and([
        eb.exists(
          eb
            .selectFrom('message_attachments as ma')
            .select('ma.mid')
            .whereRef('ma.attachment_id', '=', 'a.id')
            .where('ma.conversation_id', 'in', conversationIds),
        ),
        eb.not(
          eb.exists(
            eb
              .selectFrom('message_attachments as ma')
              .select('ma.mid')
              .whereRef('ma.attachment_id', '=', 'a.id')
              .where('ma.conversation_id', 'not in', conversationIds),
          ),
        ),
      ]),
    )
    .execute();
  if (rows.length === 0) return [];
  await db
    .deleteFrom('attachments')
    .where(
      'id',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
  return rows.map((r) => r.blob_key as string);
}

/**
 * Retention: one batch of file links older than `before` (a link is as old as its message): the links,
 * the conversation copies of file keys no message of that conversation needs any more, and
 * the single-use files no message carries any more. Returns the blob keys to delete once
 * committed.
 */
export async function removeFileLinksBefore(
  db: Kysely<Database>,
  before: number,
  limit: number,
): Promise<{ links: number; files: string[] }> {
  const links = await db
    .selectFrom('message_attachments')
    .select('attachment_id')
    .where('created_at', '<', before)
    .limit(limit)
    .execute();
  if (links.length === 0) return { links: 0, files: [] };
  const ids = [...new Set(links.map((l) => l.attachment_id))];
  await db
    .deleteFrom('message_attachments')
    .where('attachment_id', 'in', ids)
    .where('created_at', '<', before)
    .execute();
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
    .where((eb) =>
      eb.not(
        eb.exists(
          eb.selectFrom('message_attachments as ma').select('ma.mid').whereRef('ma.attachment_id', '=', 'a.id'),
        ),
      ),
    )
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
}

/** Deletes the blobs of removed files once their rows are gone (already unreadable: their keys are gone). */
export async function deleteFileBlobs(
  ctx: HubContext,
  blobs: BlobStore | undefined,
  keys: readonly string[],
): Promise<void> {
  if (blobs === undefined) return;
  for (const key of keys) {
    await blobs
      .delete(key)
      .catch((err: unknown) => ctx.log.warn({ err }, 'could not delete a removed attachment file'));
  }
}

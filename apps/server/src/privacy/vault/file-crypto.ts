/**
 * Attachment files: each file is sealed under a random key of its own, and that key is
 * stored wrapped — under the conversation key of each conversation that received the file
 * (so erasure shreds the customer's copy), and under the page's attachment key for files
 * the page may send again (see docs/privacy.md). The file's name is sealed under the file
 * key too. File keys are opaque handles: their bytes never leave this module.
 */
import { randomBytes } from 'node:crypto';
import { decrypt, encrypt } from '../aead.js';
import type { Access } from '../purposes.js';
import type { AccessGate } from './access-gate.js';
import type { KeyRing } from './key-ring.js';

/** Who a wrapped file key belongs to: a conversation that received the file, or the page that may send it again. */
export type FileKeyOwner =
  { kind: 'conversation'; customerId: string; conversationId: string } | { kind: 'page'; pageId: string };

/** An unwrapped file key. Opaque: its bytes never leave this module. */
export interface FileKey {
  readonly kind: 'file-key';
}

const FILE_MAGIC = Buffer.from('CFB2');
const FILE_AAD = 'confide/v1/file';
const FILE_KEY_VERSION = 'f1';
const FILE_NAME_VERSION = 'n1';

export class FileCrypto {
  readonly #keys: KeyRing;
  readonly #gate: AccessGate;

  constructor(keys: KeyRing, gate: AccessGate) {
    this.#keys = keys;
    this.#gate = gate;
  }

  /** Seals attachment bytes under a fresh file key; store the key wrapped (`wrapFileKey`). */
  sealFile(data: Buffer): { sealed: Buffer; fileKey: FileKey } {
    const key = randomBytes(32);
    return { sealed: Buffer.concat([FILE_MAGIC, encrypt(key, data, FILE_AAD)]), fileKey: newFileKey(key) };
  }

  /** Whether stored bytes are a file sealed by `sealFile` (not a legacy blob). */
  isSealedFile(data: Buffer): boolean {
    return data.subarray(0, FILE_MAGIC.length).equals(FILE_MAGIC);
  }

  /** Opens a sealed file with its key (obtained through `openFileKey`, which checks the purpose). */
  openFile(fileKey: FileKey, sealed: Buffer): Buffer {
    if (!this.isSealedFile(sealed)) throw new Error('Not a sealed attachment file');
    return decrypt(rawFileKey(fileKey), sealed.subarray(FILE_MAGIC.length), FILE_AAD);
  }

  /** Seals an uploaded file's name under the file's own key (the name goes with the bytes). */
  sealFileName(fileKey: FileKey, attachmentId: string, name: string): string {
    const sealed = encrypt(rawFileKey(fileKey), Buffer.from(name, 'utf8'), fileNameAad(attachmentId));
    return `${FILE_NAME_VERSION}.${sealed.toString('base64url')}`;
  }

  /** Opens a sealed file name with the file's key (obtained through `openFileKey`, which checks the purpose). */
  openFileName(fileKey: FileKey, attachmentId: string, sealed: string): string {
    const [version, data] = sealed.split('.');
    if (version !== FILE_NAME_VERSION || data === undefined) throw new Error('Unknown sealed file name format');
    return decrypt(rawFileKey(fileKey), Buffer.from(data, 'base64url'), fileNameAad(attachmentId)).toString('utf8');
  }

  /** Wraps a file key for its owner: under the conversation key, or the page's attachment key. */
  async wrapFileKey(owner: FileKeyOwner, attachmentId: string, fileKey: FileKey): Promise<string> {
    const key =
      owner.kind === 'page'
        ? await this.#keys.hubKey(`page:${owner.pageId}`)
        : await this.#keys.sealingKey(owner.customerId, owner.conversationId);
    return `${FILE_KEY_VERSION}.${encrypt(key, rawFileKey(fileKey), fileKeyAad(owner, attachmentId)).toString('base64url')}`;
  }

  /**
   * Opens a wrapped file key. A conversation's copy is customer content (audited like a
   * message); a page's copy is the business's own upload, opened to send it or re-key it.
   * @throws PurposeDeniedError, ContentErasedError (the conversation or customer was erased).
   */
  async openFileKey(access: Access, owner: FileKeyOwner, attachmentId: string, wrapped: string): Promise<FileKey> {
    this.#gate.check(access, owner.kind === 'conversation' ? owner.customerId : null);
    const [version, data] = wrapped.split('.');
    if (version !== FILE_KEY_VERSION || data === undefined) throw new Error('Unknown wrapped file key format');
    const sealed = Buffer.from(data, 'base64url');
    const ad = fileKeyAad(owner, attachmentId);
    if (owner.kind === 'page') return newFileKey(decrypt(await this.#keys.hubKey(`page:${owner.pageId}`), sealed, ad));
    const { customerId, conversationId } = owner;
    const raw = await this.#keys.withOpeningKey(customerId, conversationId, (key) => decrypt(key, sealed, ad));
    this.#gate.opened(access, customerId, conversationId, 'blob');
    return newFileKey(raw);
  }
}

const fileKeys = new WeakMap<FileKey, Buffer>();

function newFileKey(raw: Buffer): FileKey {
  const handle: FileKey = Object.freeze({ kind: 'file-key' });
  fileKeys.set(handle, raw);
  return handle;
}

function rawFileKey(fileKey: FileKey): Buffer {
  const raw = fileKeys.get(fileKey);
  if (raw === undefined) throw new Error('Not a file key from the vault');
  return raw;
}

function fileNameAad(attachmentId: string): string {
  return `confide/v1/attachments.filename_enc/${attachmentId}`;
}

function fileKeyAad(owner: FileKeyOwner, attachmentId: string): string {
  return owner.kind === 'page'
    ? `confide/v1/attachments.key_enc/page/${owner.pageId}/${attachmentId}`
    : `confide/v1/attachment_keys.key_enc/${owner.customerId}/${owner.conversationId}/${attachmentId}`;
}

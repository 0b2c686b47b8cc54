/**
 * Attachment bytes at rest. Each file is sealed under its own random key before it reaches
 * the blob store (the filesystem, or an object store), so the store only ever holds
 * ciphertext; the file key is kept wrapped in the database, per conversation that
 * received the file and per page that may send it again (features/attachments). Files
 * stored before per-file keys are still read with the hub-wide blob key until
 * `confide keys rekey-attachments` re-seals them.
 */
import type { BlobStore } from '../storage/blob-store.js';
import type { Access } from './purposes.js';
import type { FileKey, Vault } from './vault.js';

export class AttachmentFiles {
  /** The underlying store (ciphertext only). */
  readonly store: BlobStore;
  readonly #vault: Vault;

  constructor(store: BlobStore, vault: Vault) {
    this.store = store;
    this.#vault = vault;
  }

  /** Seals `data` under a new file key and stores it; the caller keeps the key, wrapped. */
  async put(data: Buffer): Promise<{ blobKey: string; fileKey: FileKey }> {
    const { sealed, fileKey } = this.#vault.sealFile(data);
    return { blobKey: await this.store.put(sealed), fileKey };
  }

  /** The bytes of a file, opened with its key; undefined when the blob is gone. */
  async read(blobKey: string, fileKey: FileKey): Promise<Buffer | undefined> {
    const sealed = await this.store.get(blobKey);
    return sealed === undefined ? undefined : this.#vault.openFile(fileKey, sealed);
  }

  /**
   * A file stored before per-file keys (hub-wide blob key, or plain bytes from before
   * encryption at rest); undefined when it is gone, or when it is a per-file sealed blob,
   * which only its own key opens.
   */
  async readLegacy(access: Access, blobKey: string): Promise<Buffer | undefined> {
    const stored = await this.store.get(blobKey);
    if (stored === undefined || this.#vault.isSealedFile(stored)) return undefined;
    return this.#vault.openBlob(access, stored);
  }

  delete(blobKey: string): Promise<void> {
    return this.store.delete(blobKey);
  }
}

/**
 * Attachment bytes encrypted at rest: wraps any BlobStore so what reaches the disk (or an
 * object store) is AES-256-GCM ciphertext under the hub's blob key. Attachments are
 * uploaded by a page before any customer receives them, so they are not under a customer
 * key; the blob key is wrapped by the KEK like every data key.
 */
import type { BlobStore } from '../features/attachments/blob-store.js';
import type { Vault } from './vault.js';

export class EncryptedBlobStore implements BlobStore {
  readonly #inner: BlobStore;
  readonly #vault: Vault;

  constructor(inner: BlobStore, vault: Vault) {
    this.#inner = inner;
    this.#vault = vault;
  }

  async put(data: Buffer): Promise<string> {
    return this.#inner.put(await this.#vault.sealBlob(data));
  }

  /** Blobs are only served to customers whose conversation received them (features/attachments). */
  async get(key: string): Promise<Buffer | undefined> {
    const sealed = await this.#inner.get(key);
    if (sealed === undefined) return undefined;
    return this.#vault.openBlob({ purpose: 'deliver_to_customer', actor: 'attachments' }, sealed);
  }

  delete(key: string): Promise<void> {
    return this.#inner.delete(key);
  }

  dispose(): Promise<void> {
    return this.#inner.dispose();
  }
}

/**
 * AES-256-GCM sealing of small secrets (page app secrets, verify tokens) under the
 * service key. Output: `v1.<iv>.<ciphertext+tag>` in base64url. The associated data
 * binds a sealed value to its purpose and owner, so a ciphertext cannot be moved to
 * another row.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
    this.#key = Buffer.from(key);
  }

  seal(plaintext: string, aad: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(aad));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `v1.${iv.toString('base64url')}.${ct.toString('base64url')}`;
  }

  /** Throws when the value was tampered with, sealed for another purpose, or under another key. */
  open(sealed: string, aad: string): string {
    const [version, ivText, ctText] = sealed.split('.');
    if (version !== 'v1' || ivText === undefined || ctText === undefined) throw new Error('Unknown sealed format');
    const ct = Buffer.from(ctText, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(ivText, 'base64url'));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(ct.subarray(ct.length - 16));
    return Buffer.concat([decipher.update(ct.subarray(0, ct.length - 16)), decipher.final()]).toString('utf8');
  }
}

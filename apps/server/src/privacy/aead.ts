/**
 * AES-256-GCM primitives for content at rest. Only the purposes gateway
 * (the modules of privacy/vault/) may import this module: an architecture test enforces it, so every
 * decryption of customer content passes the purpose check and the audit.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { pooledRandomBytes } from '../crypto/random-pool.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Encrypts `plaintext`; returns iv ‖ ciphertext ‖ tag. */
export function encrypt(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = pooledRandomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  return Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** Decrypts iv ‖ ciphertext ‖ tag; throws when the key, the AAD or a byte is wrong. */
export function decrypt(key: Buffer, sealed: Buffer, aad: string): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('sealed value too short');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
}

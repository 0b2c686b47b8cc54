/**
 * AES-256-GCM primitives for content at rest. Only the purposes gateway
 * (the modules of privacy/vault/) may import this module: an architecture test enforces it, so every
 * decryption of customer content passes the purpose check and the audit.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { pooledRandomFill } from '../crypto/random-pool.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts `plaintext`; returns iv ‖ ciphertext ‖ tag. Every message is sealed here (twice with
 * its webhook echo): the nonce is drawn straight into the result, which GCM's ciphertext (as
 * long as the plaintext, nothing held back for `final`) and tag are copied into, rather than
 * a nonce buffer of its own and a concatenation of four.
 */
export function encrypt(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const sealed = Buffer.allocUnsafe(IV_BYTES + plaintext.length + TAG_BYTES);
  pooledRandomFill(sealed, 0, IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = cipher.update(plaintext);
  const rest = cipher.final();
  if (body.length + rest.length !== plaintext.length)
    throw new Error('AES-GCM ciphertext length differs from the plaintext');
  body.copy(sealed, IV_BYTES);
  rest.copy(sealed, IV_BYTES + body.length);
  cipher.getAuthTag().copy(sealed, IV_BYTES + plaintext.length);
  return sealed;
}

/** Decrypts iv ‖ ciphertext ‖ tag; throws when the key, the AAD or a byte is wrong. */
export function decrypt(key: Buffer, sealed: Buffer, aad: string): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('sealed value too short');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
}

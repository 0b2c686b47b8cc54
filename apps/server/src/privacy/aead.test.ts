/**
 * The AEAD primitives' layout: iv ‖ ciphertext ‖ tag, the nonce fresh for every call (drawn
 * from the random pool straight into the result), and what a wrong key or AAD does.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decrypt, encrypt } from './aead.js';

const key = randomBytes(32);

/** What `encrypt` must give for the nonce it chose: AES-256-GCM by the book. */
function expected(nonce: Buffer, plaintext: Buffer, aad: string): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  return Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

describe('aead', () => {
  it('seals as iv ‖ ciphertext ‖ tag, and opens what it sealed, for any length', () => {
    for (const length of [0, 1, 15, 16, 17, 1000]) {
      const plaintext = randomBytes(length);
      const sealed = encrypt(key, plaintext, 'confide/v1/test');
      expect(sealed.length).toBe(12 + length + 16);
      expect(sealed.equals(expected(Buffer.from(sealed.subarray(0, 12)), plaintext, 'confide/v1/test'))).toBe(true);
      expect(decrypt(key, sealed, 'confide/v1/test').equals(plaintext)).toBe(true);
    }
  });

  it('draws a fresh nonce for every call, across refills of the random pool', () => {
    const nonces = new Set<string>();
    // 12 bytes each: 1,000 calls take the 4 KiB pool through two refills.
    for (let i = 0; i < 1000; i++) nonces.add(encrypt(key, Buffer.from('same'), 'aad').subarray(0, 12).toString('hex'));
    expect(nonces.size).toBe(1000);
  });

  it('refuses a wrong AAD, a wrong key and a changed byte', () => {
    const sealed = encrypt(key, Buffer.from('card limit'), 'confide/v1/a');
    expect(() => decrypt(key, sealed, 'confide/v1/b')).toThrow();
    expect(() => decrypt(randomBytes(32), sealed, 'confide/v1/a')).toThrow();
    const changed = Buffer.from(sealed);
    changed[14] = (changed[14] as number) ^ 1;
    expect(() => decrypt(key, changed, 'confide/v1/a')).toThrow();
  });
});

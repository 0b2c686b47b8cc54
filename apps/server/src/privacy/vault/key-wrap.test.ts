import { hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { conversationKeyFrom, hkdfSha256 } from './key-wrap.js';

describe('key derivation', () => {
  it('derives the same 32-byte key as HKDF-SHA256 (existing conversations keep their keys)', () => {
    for (const saltBytes of [0, 16, 32, 100]) {
      const ikm = randomBytes(32);
      const salt = randomBytes(saltBytes);
      const info = `confide conversation key c_${saltBytes} é`;
      expect(hkdfSha256(ikm, salt, info)).toEqual(Buffer.from(hkdfSync('sha256', ikm, salt, info, 32)));
    }
  });

  it("a conversation's key is HKDF of the data key, its salt and its id", () => {
    const dek = randomBytes(32);
    const salt = randomBytes(32);
    const record = {
      scope: 'conversation:c_1',
      customerId: 'u1',
      kekId: null,
      material: salt.toString('base64url'),
      createdAt: 1,
    };
    expect(conversationKeyFrom(dek, 'u1', 'c_1', record)).toEqual(
      Buffer.from(hkdfSync('sha256', dek, salt, 'confide conversation key c_1', 32)),
    );
    expect(() => conversationKeyFrom(dek, 'u2', 'c_1', record)).toThrow(/another customer/);
  });
});

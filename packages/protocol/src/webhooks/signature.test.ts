import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { serializeWebhookBody } from './serialize.js';
import { hmacHex, signWebhookBody, timingSafeEqual, verifyWebhookSignature } from './signature.js';

const SECRET = 'app-secret-123';
const BODY = '{"object":"page","entry":[]}';
const nodeHmac = (alg: 'sha1' | 'sha256', body: string | Buffer) => createHmac(alg, SECRET).update(body).digest('hex');

describe('signWebhookBody', () => {
  it('produces both header values, matching node:crypto', async () => {
    const sigs = await signWebhookBody(BODY, SECRET);
    expect(sigs.sha1).toBe(`sha1=${nodeHmac('sha1', BODY)}`);
    expect(sigs.sha256).toBe(`sha256=${nodeHmac('sha256', BODY)}`);
  });

  it('signs bytes and strings identically', async () => {
    expect(await signWebhookBody(Buffer.from(BODY), SECRET)).toEqual(await signWebhookBody(BODY, SECRET));
  });
});

describe('hmacHex', () => {
  it('matches the RFC 4231 and RFC 2202 test case 2 vectors', async () => {
    const data = 'what do ya want for nothing?';
    expect(await hmacHex('sha256', 'Jefe', data)).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    expect(await hmacHex('sha1', 'Jefe', data)).toBe('effcdf6ae5eb2fa2d27416d5f184df9c259a7c79');
  });

  it('refuses an empty secret', async () => {
    await expect(hmacHex('sha256', '', 'x')).rejects.toThrow(TypeError);
  });
});

describe('timingSafeEqual', () => {
  it('compares contents and lengths', () => {
    expect(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(timingSafeEqual(new Uint8Array([1]), new Uint8Array([1, 2]))).toBe(false);
  });
});

describe('verifyWebhookSignature', () => {
  it('accepts a valid sha256 signature', async () => {
    const headers = { 'x-hub-signature-256': `sha256=${nodeHmac('sha256', BODY)}` };
    expect(await verifyWebhookSignature(BODY, headers, SECRET)).toEqual({ valid: true, algorithm: 'sha256' });
  });

  it('accepts a valid sha1-only signature', async () => {
    const headers = { 'X-Hub-Signature': `sha1=${nodeHmac('sha1', BODY)}` };
    expect(await verifyWebhookSignature(BODY, headers, SECRET)).toEqual({ valid: true, algorithm: 'sha1' });
  });

  it('reads a Fetch Headers object case-insensitively', async () => {
    const headers = new Headers({ 'X-Hub-Signature-256': `sha256=${nodeHmac('sha256', BODY)}` });
    expect(await verifyWebhookSignature(BODY, headers, SECRET)).toMatchObject({ valid: true });
  });

  it('accepts upper-case hex digits', async () => {
    const headers = { 'x-hub-signature-256': `sha256=${nodeHmac('sha256', BODY).toUpperCase()}` };
    expect(await verifyWebhookSignature(BODY, headers, SECRET)).toMatchObject({ valid: true });
  });

  it('prefers sha256 over sha1 when both are present', async () => {
    const headers = {
      'x-hub-signature': `sha1=${nodeHmac('sha1', BODY)}`,
      'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
    };
    expect(await verifyWebhookSignature(BODY, headers, SECRET)).toEqual({ valid: false, reason: 'mismatch' });
  });

  it('reports a missing signature', async () => {
    expect(await verifyWebhookSignature(BODY, {}, SECRET)).toEqual({ valid: false, reason: 'missing' });
    expect(await verifyWebhookSignature(BODY, { 'x-hub-signature': '' }, SECRET)).toEqual({
      valid: false,
      reason: 'missing',
    });
  });

  it('reports a malformed signature', async () => {
    for (const value of ['sha256', 'sha256=xyz', `sha256=${'a'.repeat(63)}`, `sha256=${'g'.repeat(64)}`]) {
      expect(await verifyWebhookSignature(BODY, { 'x-hub-signature-256': value }, SECRET)).toEqual({
        valid: false,
        reason: 'malformed',
      });
    }
  });

  it('reports an unsupported algorithm', async () => {
    const md5 = { 'x-hub-signature': 'md5=0cc175b9c0f1b6a831c399e269772661' };
    expect(await verifyWebhookSignature(BODY, md5, SECRET)).toEqual({ valid: false, reason: 'unsupported_algorithm' });
    const sha1In256 = { 'x-hub-signature-256': `sha1=${nodeHmac('sha1', BODY)}` };
    expect(await verifyWebhookSignature(BODY, sha1In256, SECRET)).toEqual({
      valid: false,
      reason: 'unsupported_algorithm',
    });
  });

  it('rejects a signature made with another secret', async () => {
    const headers = { 'x-hub-signature-256': `sha256=${createHmac('sha256', 'other').update(BODY).digest('hex')}` };
    expect(await verifyWebhookSignature(BODY, headers, SECRET)).toEqual({ valid: false, reason: 'mismatch' });
  });

  it('rejects a tampered body', async () => {
    const { sha1, sha256 } = await signWebhookBody(BODY, SECRET);
    const tampered = BODY.replace('[]', '[{}]');
    expect(await verifyWebhookSignature(tampered, { 'x-hub-signature-256': sha256 }, SECRET)).toEqual({
      valid: false,
      reason: 'mismatch',
    });
    expect(await verifyWebhookSignature(tampered, { 'x-hub-signature': sha1 }, SECRET)).toMatchObject({ valid: false });
  });

  it('round-trips a non-ASCII body serialised with serializeWebhookBody', async () => {
    const body = serializeWebhookBody({ object: 'page', entry: [{ text: 'Grüße äöå 😀 ₹' }] });
    expect(body).toMatch(/^[\x00-\x7f]*$/);
    const { sha1, sha256 } = await signWebhookBody(body, SECRET);
    // A receiver hashing the raw bytes (Bottender, Meta's own sample) gets the same digests.
    expect(sha256).toBe(`sha256=${nodeHmac('sha256', Buffer.from(body, 'utf8'))}`);
    expect(sha1).toBe(`sha1=${nodeHmac('sha1', Buffer.from(body, 'utf8'))}`);
    expect(await verifyWebhookSignature(Buffer.from(body), { 'x-hub-signature-256': sha256 }, SECRET)).toMatchObject({
      valid: true,
    });
  });
});

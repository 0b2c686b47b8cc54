import { describe, expect, it } from 'vitest';
import { verifyReceipt } from './verify-receipt';

const b64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');

async function signed(claims: object) {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const header = b64url(JSON.stringify({ alg: 'ES256', kid: 'k1', typ: 'confide-consent-receipt+jwt' }));
  const payload = b64url(JSON.stringify(claims));
  const sig = new Uint8Array(
    await crypto.subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      pair.privateKey,
      new TextEncoder().encode(`${header}.${payload}`),
    ),
  );
  const jwk = { ...(await crypto.subtle.exportKey('jwk', pair.publicKey)), kid: 'k1' };
  return { jws: `${header}.${payload}.${b64url(sig)}`, jwk, header, sig };
}

describe('verifyReceipt', () => {
  it('accepts a receipt signed by a published key and reads its claims; refuses a changed one or an unknown key', async () => {
    const { jws, jwk, header, sig } = await signed({ categories: ['receipts'], granted_at: 1, expires_at: 2 });
    const ok = await verifyReceipt(jws, [jwk]);
    expect(ok).toMatchObject({ valid: true, kid: 'k1', claims: { categories: ['receipts'] } });
    const forged = `${header}.${b64url(JSON.stringify({ categories: ['receipts', 'balances'], granted_at: 1, expires_at: 2 }))}.${b64url(sig)}`;
    expect(await verifyReceipt(forged, [jwk])).toEqual({
      valid: false,
      reason: 'the signature does not match the content',
    });
    expect((await verifyReceipt(jws, [{ ...jwk, kid: 'other' }])).valid).toBe(false);
    expect((await verifyReceipt('garbage', [jwk])).valid).toBe(false);
  });
});

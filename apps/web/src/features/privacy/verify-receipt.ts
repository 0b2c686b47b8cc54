/**
 * Verifies a consent receipt (a compact ES256 JWS) in the browser against the hub's
 * published keys (`/.well-known/jwks.json`), with WebCrypto only, and reads its claims.
 */

export interface ReceiptClaims {
  iss: string;
  sub: string;
  jti: string;
  page_id: string;
  categories: string[];
  purposes: string[];
  granted_at: number;
  expires_at: number;
  third_party_disclosure: boolean;
}

export type Verification = { valid: true; kid: string; claims: ReceiptClaims } | { valid: false; reason: string };

interface Jwk extends JsonWebKey {
  kid?: string;
}

const fromBase64url = (text: string): Uint8Array<ArrayBuffer> => {
  const b64 = text
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(text.length / 4) * 4, '=');
  const bin = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i += 1) out[i] = bin.charCodeAt(i);
  return out;
};
const json = (part: string): unknown => JSON.parse(new TextDecoder().decode(fromBase64url(part)));

/** Checks the signature with the key the header names; never throws. */
export async function verifyReceipt(jws: string, keys: readonly Jwk[]): Promise<Verification> {
  try {
    const [header, payload, signature] = jws.split('.');
    if (header === undefined || payload === undefined || signature === undefined)
      return { valid: false, reason: 'not a compact JWS' };
    const head = json(header) as { alg?: string; kid?: string };
    if (head.alg !== 'ES256') return { valid: false, reason: `unexpected algorithm ${String(head.alg)}` };
    const jwk = keys.find((k) => k.kid === head.kid);
    if (jwk === undefined) return { valid: false, reason: 'signed with a key this hub does not publish' };
    const { kid: _kid, ...material } = jwk;
    const key = await crypto.subtle.importKey(
      'jwk',
      { ...material, key_ops: ['verify'] },
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['verify'],
    );
    const ok = await crypto.subtle.verify(
      { name: 'ECDSA', hash: 'SHA-256' },
      key,
      fromBase64url(signature),
      new TextEncoder().encode(`${header}.${payload}`),
    );
    if (!ok) return { valid: false, reason: 'the signature does not match the content' };
    return { valid: true, kid: head.kid ?? '', claims: json(payload) as ReceiptClaims };
  } catch {
    return { valid: false, reason: 'the receipt could not be read' };
  }
}

/**
 * @module webhooks/signature
 * HMAC signatures of webhook bodies, shared by the hub (signing) and the SDK (verifying).
 * Web Crypto only (`globalThis.crypto.subtle`), so it runs in Node 20 and browsers alike.
 *
 * The hub sends both headers because most Node bot frameworks check only the legacy
 * `X-Hub-Signature: sha1=<hex>` (reference §1 trap 1); verifiers prefer
 * `X-Hub-Signature-256: sha256=<hex>`.
 */

/** HMAC algorithms used for webhook signatures. */
export type SignatureAlgorithm = 'sha1' | 'sha256';

/** Header of the HMAC-SHA256 signature, lowercase as Node reports it. */
export const SIGNATURE_HEADER_SHA256 = 'x-hub-signature-256';
/** Header of the legacy HMAC-SHA1 signature, still the only one most Node bot frameworks check. */
export const SIGNATURE_HEADER_SHA1 = 'x-hub-signature';

/** A raw body as received or about to be sent. Strings are encoded as UTF-8. */
export type RawBody = Uint8Array | ArrayBuffer | string;

/**
 * Request headers in any common shape: a Fetch `Headers`, or a plain record such as
 * Node's `IncomingHttpHeaders` (names matched case-insensitively).
 */
export type HeaderSource = { get(name: string): string | null } | Record<string, string | string[] | undefined>;

/** Both signature header values for one body. */
export interface WebhookSignatures {
  /** Value of `X-Hub-Signature`, `sha1=<lowercase hex>`. */
  sha1: string;
  /** Value of `X-Hub-Signature-256`, `sha256=<lowercase hex>`. */
  sha256: string;
}

/** Why a signature was refused. */
export type SignatureFailureReason = 'missing' | 'malformed' | 'unsupported_algorithm' | 'mismatch';

/** Outcome of {@link verifyWebhookSignature}; never throws for a bad signature. */
export type SignatureVerification =
  { valid: true; algorithm: SignatureAlgorithm } | { valid: false; reason: SignatureFailureReason };

const HEX_LENGTH: Record<SignatureAlgorithm, number> = { sha1: 40, sha256: 64 };
const SUBTLE_NAME: Record<SignatureAlgorithm, string> = { sha1: 'SHA-1', sha256: 'SHA-256' };

const toBytes = (body: RawBody): Uint8Array<ArrayBuffer> =>
  typeof body === 'string' ? new TextEncoder().encode(body) : new Uint8Array(body);

const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

const fromHex = (hex: string): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
};

/** HMAC of `data` keyed by `secret`, as raw bytes. */
export async function hmac(algorithm: SignatureAlgorithm, secret: string, data: RawBody): Promise<Uint8Array> {
  if (secret.length === 0) throw new TypeError('HMAC secret must be a non-empty string');
  const subtle = globalThis.crypto.subtle;
  const key = await subtle.importKey('raw', toBytes(secret), { name: 'HMAC', hash: SUBTLE_NAME[algorithm] }, false, [
    'sign',
  ]);
  return new Uint8Array(await subtle.sign('HMAC', key, toBytes(data)));
}

/** HMAC of `data` keyed by `secret`, as lowercase hex (e.g. `appsecret_proof`). */
export async function hmacHex(algorithm: SignatureAlgorithm, secret: string, data: RawBody): Promise<string> {
  return toHex(await hmac(algorithm, secret, data));
}

/**
 * Compares two byte strings in time that depends only on their length, so a caller
 * cannot learn how many leading bytes of a guess were right.
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/**
 * Signs the exact bytes of a webhook body with the app secret.
 * @param rawBody the bytes that will be sent (see {@link serializeWebhookBody}).
 * @param appSecret the receiving app's secret.
 * @returns the values for `X-Hub-Signature` and `X-Hub-Signature-256`.
 */
export async function signWebhookBody(rawBody: RawBody, appSecret: string): Promise<WebhookSignatures> {
  const [sha1, sha256] = await Promise.all([
    hmacHex('sha1', appSecret, rawBody),
    hmacHex('sha256', appSecret, rawBody),
  ]);
  return { sha1: `sha1=${sha1}`, sha256: `sha256=${sha256}` };
}

/** Reads one header from any {@link HeaderSource}, case-insensitively. */
export function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (typeof headers.get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() !== wanted) continue;
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/**
 * Checks a webhook body against its signature headers. `X-Hub-Signature-256` is used
 * when present; otherwise `X-Hub-Signature` (sha1). The digest is compared in constant time.
 * @param rawBody the body exactly as received, before any JSON parsing.
 * @param headers the request headers.
 * @param appSecret the app secret shared with the hub.
 * @returns `{ valid: true, algorithm }` or `{ valid: false, reason }`.
 */
export async function verifyWebhookSignature(
  rawBody: RawBody,
  headers: HeaderSource,
  appSecret: string,
): Promise<SignatureVerification> {
  const preferred = readHeader(headers, SIGNATURE_HEADER_SHA256);
  const value = preferred ?? readHeader(headers, SIGNATURE_HEADER_SHA1);
  if (value === undefined || value.trim() === '') return { valid: false, reason: 'missing' };

  const match = /^([A-Za-z0-9-]+)=(.*)$/.exec(value.trim());
  if (!match) return { valid: false, reason: 'malformed' };
  const algorithm = (match[1] ?? '').toLowerCase();
  const digest = match[2] ?? '';
  // The -256 header only ever carries sha256; the legacy header carries sha1 (or sha256).
  const allowed: readonly string[] = preferred !== undefined ? ['sha256'] : ['sha1', 'sha256'];
  if (!allowed.includes(algorithm)) return { valid: false, reason: 'unsupported_algorithm' };

  const alg = algorithm as SignatureAlgorithm;
  if (digest.length !== HEX_LENGTH[alg] || !/^[0-9a-fA-F]+$/.test(digest)) {
    return { valid: false, reason: 'malformed' };
  }
  const expected = await hmac(alg, appSecret, rawBody);
  return timingSafeEqual(expected, fromHex(digest))
    ? { valid: true, algorithm: alg }
    : { valid: false, reason: 'mismatch' };
}

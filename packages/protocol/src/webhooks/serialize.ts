/**
 * @module webhooks/serialize
 * The exact bytes of a webhook body. Messenger signs "an escaped unicode version of the
 * payload, with lowercase hex digits" (reference §1 trap 7), so a receiver that hashes
 * the raw body and one that re-serialises it both agree.
 */

const NON_ASCII = /[\u0080-\uffff]/g;

const escapeCodeUnit = (ch: string): string => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * Serialises a webhook body as ASCII-only JSON: every code unit above U+007F becomes a
 * lowercase `\uXXXX` escape (astral characters become two escaped surrogates).
 * Non-ASCII can only occur inside JSON strings, so the escaped text parses to the same value.
 * @example
 * serializeWebhookBody({ text: 'äöå' }); // '{"text":"\\u00e4\\u00f6\\u00e5"}'
 */
export function serializeWebhookBody(body: unknown): string {
  const json = JSON.stringify(body);
  if (json === undefined) throw new TypeError('webhook body is not JSON-serialisable');
  return escapeWebhookJson(json);
}

/**
 * The ASCII-only form of JSON text (as {@link serializeWebhookBody} escapes it), for a body
 * assembled from JSON texts rather than serialised from one value.
 * @example
 * escapeWebhookJson('{"text":"äöå"}'); // '{"text":"\\u00e4\\u00f6\\u00e5"}'
 */
export function escapeWebhookJson(json: string): string {
  return json.replace(NON_ASCII, escapeCodeUnit);
}

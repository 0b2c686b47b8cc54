/**
 * @module webhooks/verify-webhook
 * Receiver-side checks: the signature of a POST and the GET verification handshake.
 */
import {
  WebhookVerificationQuerySchema,
  timingSafeEqual,
  verifyWebhookSignature,
  type HeaderSource,
  type RawBody,
  type SignatureAlgorithm,
} from '@confide/protocol';
import { WebhookSignatureError, WebhookVerificationError } from '../errors.js';

/** Query parameters as a `URLSearchParams` or a parsed record (Express, Fastify). */
export type QuerySource = URLSearchParams | Record<string, unknown>;

/**
 * Verifies a webhook POST against `X-Hub-Signature-256` (preferred) or `X-Hub-Signature`.
 * @param rawBody the body bytes exactly as received, before JSON parsing.
 * @param headers the request headers (Fetch `Headers` or Node's header record).
 * @param appSecret the app secret.
 * @returns the algorithm that verified.
 * @throws {WebhookSignatureError} with `reason` `missing`, `malformed`, `unsupported_algorithm` or `mismatch`.
 * @example
 * await verifyWebhook(rawBody, req.headers, process.env.APP_SECRET!);
 * await bot.dispatch(JSON.parse(new TextDecoder().decode(rawBody)));
 */
export async function verifyWebhook(
  rawBody: RawBody,
  headers: HeaderSource,
  appSecret: string,
): Promise<SignatureAlgorithm> {
  const result = await verifyWebhookSignature(rawBody, headers, appSecret);
  if (!result.valid) throw new WebhookSignatureError(result.reason);
  return result.algorithm;
}

const readQuery = (query: QuerySource, name: string): string | undefined => {
  if (query instanceof URLSearchParams) return query.get(name) ?? undefined;
  const value = query[name];
  const first = Array.isArray(value) ? (value[0] as unknown) : value;
  return typeof first === 'string' ? first : undefined;
};

const sameString = (a: string, b: string): boolean => {
  const encoder = new TextEncoder();
  return timingSafeEqual(encoder.encode(a), encoder.encode(b));
};

/**
 * Answers the GET verification handshake (`hub.mode=subscribe`, `hub.verify_token`,
 * `hub.challenge`). Also accepts PHP-style `hub_mode` names.
 * @param query the request's query parameters.
 * @param verifyToken the token configured for this webhook on the hub.
 * @returns the challenge, to send back with HTTP 200.
 * @throws {WebhookVerificationError} (HTTP 403) on a wrong mode, token or missing challenge.
 * @example
 * res.end(handleVerification(new URL(req.url!, 'http://x').searchParams, VERIFY_TOKEN));
 */
export function handleVerification(query: QuerySource, verifyToken: string): string {
  if (!verifyToken) throw new TypeError('verifyToken must be a non-empty string');
  const read = (name: string) => readQuery(query, `hub.${name}`) ?? readQuery(query, `hub_${name}`);
  const parsed = WebhookVerificationQuerySchema.safeParse({
    'hub.mode': read('mode'),
    'hub.verify_token': read('verify_token'),
    'hub.challenge': read('challenge'),
  });
  if (!parsed.success) {
    const path = String(parsed.error.issues[0]?.path[0] ?? '');
    throw new WebhookVerificationError(
      path === 'hub.mode' ? 'mode' : path === 'hub.challenge' ? 'challenge' : 'verify_token',
    );
  }
  if (!sameString(parsed.data['hub.verify_token'], verifyToken)) throw new WebhookVerificationError('verify_token');
  return parsed.data['hub.challenge'];
}

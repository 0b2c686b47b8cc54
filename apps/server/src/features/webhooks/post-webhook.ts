/**
 * One webhook POST: the body is serialised once as ASCII-escaped JSON (reference §1
 * trap 7) and exactly those bytes are sent and signed with both `X-Hub-Signature`
 * (sha1, still the only one most Node bot frameworks check) and `X-Hub-Signature-256`, plus
 * the Standard Webhooks headers for an app that turned them on.
 */
import { createHmac } from 'node:crypto';
import { serializeWebhookBody, type WebhookSignatures } from '@confide/protocol';
import { assertEgressAllowed, type EgressPolicy } from '../../privacy/egress-guard.js';
import { describeFetchError } from './http.js';
import { sendPost, type PostAnswer } from './http-post.js';
import { signStandardWebhook } from './standard-webhooks.js';

export interface PostWebhookOptions {
  url: string;
  /** The body, serialised here; or `raw`, the bytes `serializeWebhookBody` makes of it (envelope.ts). */
  body?: unknown;
  raw?: string;
  appSecret: string;
  timeoutMs: number;
  /** SSRF policy; defaults to the one set at hub start. */
  egress?: EgressPolicy;
  /** Aborts the POST early (the worker lost its lease on the batch). */
  signal?: AbortSignal;
  /** Standard Webhooks signing: the app's `whsec_` secret and the message id. */
  standard?: { secret: string; id: string } | undefined;
}

/** How long a POST took and the first characters of the answer (the console's delivery log). */
interface PostFacts {
  latencyMs: number;
  snippet: string;
}

/** `ok` for any 2xx answer; otherwise a short reason for the outbox's `last_error`. */
export type PostWebhookResult = ({ ok: true; status: number } | { ok: false; status: number | null; error: string }) &
  PostFacts;

/** Characters of the answer kept for the delivery log. */
export const SNIPPET_CHARS = 256;

export async function postWebhook({
  url,
  body,
  raw = serializeWebhookBody(body),
  appSecret,
  timeoutMs,
  egress,
  signal,
  standard,
}: PostWebhookOptions): Promise<PostWebhookResult> {
  const signatures = signBody(raw, appSecret);
  // Receivers compare the timestamp with their own clock (5 minutes' tolerance): real time.
  const standardHeaders =
    standard === undefined ? {} : signStandardWebhook({ ...standard, timestampMs: Date.now(), body: raw });
  let res: PostAnswer;
  const started = performance.now();
  const latencyMs = () => Math.round(performance.now() - started);
  try {
    // SSRF guard (production): never POST to loopback, link-local or private addresses.
    await assertEgressAllowed(url, egress);
    res = await sendPost({
      url: new URL(url),
      body: raw,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature': signatures.sha1,
        'x-hub-signature-256': signatures.sha256,
        'user-agent': 'Confide-Webhooks/1.0',
        ...standardHeaders,
      },
      timeoutMs,
      signal,
      // A little of the answer: its start goes to the delivery log.
      limit: 1024,
    });
  } catch (err) {
    return { ok: false, status: null, error: describeFetchError(err, timeoutMs), latencyMs: latencyMs(), snippet: '' };
  }
  const snippet = res.snippet.slice(0, SNIPPET_CHARS);
  const facts = { latencyMs: latencyMs(), snippet };
  if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, ...facts };
  return { ok: false, status: res.status, error: `HTTP ${res.status}`, ...facts };
}

/**
 * Both signature headers of a body, as `signWebhookBody` (@confide/protocol) makes them, with
 * Node's native HMAC: Web Crypto's key import and thread-pool job cost about a millisecond a POST.
 */
export function signBody(raw: string, appSecret: string): WebhookSignatures {
  if (appSecret.length === 0) throw new TypeError('HMAC secret must be a non-empty string');
  return {
    sha1: `sha1=${createHmac('sha1', appSecret).update(raw, 'utf8').digest('hex')}`,
    sha256: `sha256=${createHmac('sha256', appSecret).update(raw, 'utf8').digest('hex')}`,
  };
}

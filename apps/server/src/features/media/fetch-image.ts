/**
 * Fetches one business image for the proxy, under the SSRF guard: the scheme and an IP
 * literal are checked by `assertEgressAllowed`, and the connection itself goes through a
 * lookup that refuses non-public addresses (so a host cannot resolve to a public address
 * for the check and a private one for the connection). Nothing about the customer is
 * sent: no cookies, no referrer, a fixed User-Agent. Only PNG, JPEG, GIF and WebP, checked
 * on the bytes as well as the declared type (SVG can carry script), up to a size limit.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import {
  assertEgressAllowed,
  EgressRefusedError,
  isPrivateAddress,
  type EgressPolicy,
} from '../../privacy/egress-guard.js';
import { sniffImageType, type ImageType } from './image-types.js';

export interface ImageFetchLimits {
  /** Largest image accepted, in bytes. */
  maxBytes: number;
  /** Whole fetch, redirects included, in milliseconds. */
  timeoutMs: number;
  /** Redirects followed (each checked by the guard again). */
  maxRedirects: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageFetchLimits = { maxBytes: 8 * 1024 * 1024, timeoutMs: 10_000, maxRedirects: 3 };

/** Sent on every image fetch, instead of anything the customer's browser would send. */
export const IMAGE_PROXY_USER_AGENT = 'Confide-ImageProxy/1.0';

export interface FetchedImage {
  type: ImageType;
  bytes: Buffer;
}

/** The image cannot be served; `message` says why, in words fit for the customer API. */
export class ImageRefusedError extends Error {
  override readonly name = 'ImageRefusedError';
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export async function fetchImage(
  url: string,
  policy: EgressPolicy,
  limits: ImageFetchLimits = DEFAULT_IMAGE_LIMITS,
): Promise<FetchedImage> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let current = url;
  for (let hop = 0; hop <= limits.maxRedirects; hop++) {
    const res = await get(current, policy, signal);
    if (REDIRECTS.has(res.statusCode ?? 0) && typeof res.headers.location === 'string') {
      res.destroy();
      current = new URL(res.headers.location, current).href;
      continue;
    }
    try {
      return await readImage(res, limits.maxBytes, signal);
    } finally {
      res.destroy();
    }
  }
  throw new ImageRefusedError(`more than ${limits.maxRedirects} redirects`);
}

async function get(url: string, policy: EgressPolicy, signal: AbortSignal): Promise<http.IncomingMessage> {
  try {
    await assertEgressAllowed(url, policy);
  } catch (err) {
    throw refusal(err);
  }
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(
      target,
      {
        signal,
        lookup: guardedLookup(policy),
        headers: { 'user-agent': IMAGE_PROXY_USER_AGENT, accept: 'image/png,image/jpeg,image/gif,image/webp' },
        agent: false,
      },
      resolve,
    );
    req.once('error', (err) => reject(refusal(err)));
  });
}

async function readImage(res: http.IncomingMessage, maxBytes: number, signal: AbortSignal): Promise<FetchedImage> {
  if (res.statusCode !== 200) throw new ImageRefusedError(`the image host answered HTTP ${res.statusCode ?? '?'}`);
  const declared = (res.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!declared.startsWith('image/'))
    throw new ImageRefusedError(`not an image (${declared === '' ? 'no content type' : declared})`);
  const length = Number(res.headers['content-length'] ?? Number.NaN);
  if (length > maxBytes) throw new ImageRefusedError(`larger than ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw new ImageRefusedError(`larger than ${maxBytes} bytes`);
      chunks.push(chunk);
    }
  } catch (err) {
    throw err instanceof ImageRefusedError ? err : refusal(signal.aborted ? signal.reason : err);
  }
  const bytes = Buffer.concat(chunks);
  const type = sniffImageType(bytes);
  if (type === undefined) throw new ImageRefusedError(`not a PNG, JPEG, GIF or WebP image (declared ${declared})`);
  return { type, bytes };
}

/** Resolves like the system would, and refuses the connection when the policy forbids any address. */
function guardedLookup(policy: EgressPolicy): LookupFunction {
  return ((hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
    dns.lookup(hostname, { ...options, all: true, verbatim: true }, (err, addresses) => {
      if (err !== null) return callback(err);
      if (addresses.length === 0 || (policy.denyPrivate && addresses.some((a) => isPrivateAddress(a.address)))) {
        return callback(new EgressRefusedError('destination is not a public address'));
      }
      const first = addresses[0]!;
      return options.all === true ? callback(null, addresses) : callback(null, first.address, first.family);
    });
  }) as unknown as LookupFunction;
}

function refusal(err: unknown): ImageRefusedError {
  if (err instanceof ImageRefusedError) return err;
  if (err instanceof EgressRefusedError)
    return new ImageRefusedError(err.message.replace(/ \(set WEBHOOK_ALLOW_PRIVATE.*\)$/, ''));
  const e = err as { name?: string; code?: string; message?: string };
  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return new ImageRefusedError('the image host did not answer in time');
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return new ImageRefusedError('host not found');
  return new ImageRefusedError(`the image host could not be reached (${e.code ?? e.name ?? 'error'})`);
}

/**
 * The verification handshake (reference §5.1). Before a callback URL is accepted the hub
 * GETs `{callback}?hub.mode=subscribe&hub.verify_token=…&hub.challenge=<random int>` and
 * requires `200` with the challenge echoed. It runs when a subscription is set, never at
 * delivery time. The GET passes the same SSRF guard as webhook POSTs.
 */
import { randomInt } from 'node:crypto';
import { PlatformError } from '@confide/protocol';
import { assertEgressAllowed, EgressRefusedError, type EgressPolicy } from '../../privacy/egress-guard.js';
import { describeFetchError, readSnippet } from './http.js';

export interface HandshakeOptions {
  url: string;
  verifyToken: string;
  timeoutMs: number;
  /** SSRF policy; defaults to the one set at hub start. */
  egress?: EgressPolicy;
}

/** Parses a callback URL, refusing anything but absolute http(s) URLs. */
export function parseCallbackUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PlatformError('INVALID_PARAMETER', { message: `Callback URL is not a valid URL: ${url}` });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new PlatformError('INVALID_PARAMETER', { message: `Callback URL must be http or https: ${url}` });
  }
  return parsed;
}

/**
 * Performs the handshake against `url`.
 * @throws PlatformError `INVALID_PARAMETER` naming why verification failed (a destination
 * the SSRF guard refuses, unreachable, timeout, non-200 status, or a wrong challenge),
 * never echoing the verify token.
 */
export async function verifyCallback({ url, verifyToken, timeoutMs, egress }: HandshakeOptions): Promise<void> {
  const target = parseCallbackUrl(url);
  const challenge = String(randomInt(1, 2 ** 31 - 1));
  target.searchParams.set('hub.mode', 'subscribe');
  target.searchParams.set('hub.verify_token', verifyToken);
  target.searchParams.set('hub.challenge', challenge);
  const fail = (why: string, cause?: unknown) =>
    new PlatformError('INVALID_PARAMETER', { message: `Callback verification failed for ${url}: ${why}`, cause });

  try {
    await assertEgressAllowed(url, egress);
  } catch (err) {
    throw fail(err instanceof EgressRefusedError ? err.message : describeLookupError(err), err);
  }
  let res: Response;
  try {
    res = await fetch(target, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw fail(describeFetchError(err, timeoutMs), err);
  }
  const body = await readSnippet(res, 256);
  if (res.status !== 200) throw fail(`the endpoint answered HTTP ${res.status}, expected 200 with hub.challenge`);
  if (body.trim() !== challenge) throw fail('the response body did not echo hub.challenge (check the verify token)');
}

/** A failed DNS look-up by the guard, in the words describeFetchError uses for fetch. */
function describeLookupError(err: unknown): string {
  const code = (err as { code?: string }).code;
  return code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'host not found' : (code ?? 'host look-up failed');
}

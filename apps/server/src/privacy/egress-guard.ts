/**
 * SSRF guard for every request the hub sends to a business: webhook POSTs (outbox
 * worker), the verification GET of a subscription, and the synchronous account-linking
 * webhook. In production a URL whose host resolves to a loopback, link-local, private,
 * shared or otherwise non-public address is refused, so a business cannot point the hub
 * at its own network (metadata services, databases, admin ports).
 * `WEBHOOK_ALLOW_PRIVATE=true` lifts the rule for deployments whose banks sit on a private
 * network; outside production it is off (local receivers on loopback keep working).
 * Limit: the address is checked at resolution time, and the request (fetch, node:http)
 * resolves it again when it connects (a DNS-rebinding window); see docs/privacy.md.
 */
import dns from 'node:dns/promises';
import net from 'node:net';
import type { Config } from '../config.js';
import { isPrivateAddress } from './egress-address.js';

export { isPrivateAddress };

export interface EgressPolicy {
  /** Refuse non-public destinations. */
  denyPrivate: boolean;
}

/** The policy a hub runs under: deny non-public destinations in production unless WEBHOOK_ALLOW_PRIVATE. */
export function egressPolicyFor(config: Pick<Config, 'NODE_ENV' | 'WEBHOOK_ALLOW_PRIVATE'>): EgressPolicy {
  return { denyPrivate: config.NODE_ENV === 'production' && !config.WEBHOOK_ALLOW_PRIVATE };
}

let policy: EgressPolicy = { denyPrivate: false };

/** Default for callers that pass no policy; set at hub start from configuration (`egressPolicyFor`). */
export function setEgressPolicy(next: EgressPolicy): void {
  policy = next;
}

export class EgressRefusedError extends Error {
  override readonly name = 'EgressRefusedError';
}

/**
 * Throws when the policy refuses `url`: a non-http(s) scheme, or (denying private) a host
 * that is or resolves to a non-public address.
 */
export async function assertEgressAllowed(url: string, current: EgressPolicy = policy): Promise<void> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new EgressRefusedError('only http(s) webhook URLs are allowed');
  if (!current.denyPrivate) return;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const addresses =
    net.isIP(host) !== 0 ? [host] : (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  if (addresses.length === 0 || addresses.some(isPrivateAddress)) {
    throw new EgressRefusedError(
      'destination is not a public address (set WEBHOOK_ALLOW_PRIVATE=true to allow private networks)',
    );
  }
}

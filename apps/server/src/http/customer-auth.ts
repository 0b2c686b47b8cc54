/**
 * Customer authentication for the `/api` routes: the session cookie (HTTP-only,
 * SameSite=Strict) and, on state-changing requests, an Origin check so a cross-site page
 * can never act for the customer.
 */
import { PlatformError, type Customer } from '@confide/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sha256Hex } from '../crypto/tokens.js';
import { authOf } from './auth.js';

export const SESSION_COOKIE = 'confide_session';

/** Turns a session token into its customer (features/customers/accounts.ts implements it). */
export interface SessionAuthenticator {
  authenticate(sessionToken: string): Promise<Customer | undefined>;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses a state-changing request whose Origin (or, without Origin, a cross-site
 * Sec-Fetch-Site) does not match the hub. Non-browser clients send neither and pass.
 */
export function assertSameOrigin(request: FastifyRequest, publicUrl: string, always = false): void {
  if (!always && SAFE_METHODS.has(request.method)) return;
  const origin = request.headers.origin;
  if (origin !== undefined) {
    const host = request.headers.host;
    const allowed = new Set([new URL(publicUrl).origin]);
    if (host !== undefined) {
      allowed.add(`http://${host}`);
      allowed.add(`https://${host}`);
    }
    if (!allowed.has(origin)) throw new PlatformError('FORBIDDEN_ORIGIN');
    return;
  }
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new PlatformError('FORBIDDEN_ORIGIN');
}

/**
 * The session check customers and agents share: the Origin check (WebSocket upgrades are
 * GETs but act for the owner, so theirs too), the session cookie turned into its owner, and
 * on an upgrade the mark that closes the socket when this session ends
 * (features/realtime/live-sessions.ts). Throws UNAUTHENTICATED without a live session.
 */
export async function authenticateSession<T extends { id: string }>(
  request: FastifyRequest,
  {
    cookie,
    kind,
    publicUrl,
    authenticate,
  }: {
    cookie: string;
    kind: 'customer' | 'agent';
    publicUrl: string;
    authenticate(token: string): Promise<T | undefined>;
  },
): Promise<{ owner: T; token: string }> {
  const upgrade = isUpgrade(request);
  assertSameOrigin(request, publicUrl, upgrade);
  const token = request.cookies[cookie];
  const owner = token === undefined ? undefined : await authenticate(token);
  if (owner === undefined || token === undefined) throw new PlatformError('UNAUTHENTICATED');
  if (upgrade) request.liveSession = { kind, ownerId: owner.id, idHash: sha256Hex(token) };
  return { owner, token };
}

/** Builds the preHandler that requires a logged-in customer. */
export function requireCustomer(accounts: SessionAuthenticator, publicUrl: string) {
  const check = {
    cookie: SESSION_COOKIE,
    kind: 'customer',
    publicUrl,
    authenticate: (token: string) => accounts.authenticate(token),
  } as const;
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const { owner, token } = await authenticateSession(request, check);
    request.auth = { kind: 'customer', customer: owner, sessionToken: token };
  };
}

/** True for a WebSocket upgrade request. */
export function isUpgrade(request: FastifyRequest): boolean {
  return request.headers.upgrade?.toLowerCase() === 'websocket';
}

/** The authenticated customer of a request that passed `requireCustomer`. */
export function customerOf(request: FastifyRequest): Customer {
  return authOf(request, 'customer').customer;
}

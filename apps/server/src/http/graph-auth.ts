/**
 * Graph authentication: token → principal. The token comes from `access_token` (query, then
 * body), `Authorization: Bearer` (or `OAuth`), or, for an in-process sub-request, the call it
 * belongs to; `appsecret_proof` is verified whenever it is present. A path naming another
 * page's (or app's) id answers exactly like an id that does not exist.
 */
import { PlatformError } from '@confide/protocol';
import type { FastifyRequest } from 'fastify';
import { createHmac } from 'node:crypto';
import { safeEqual } from '../crypto/tokens.js';
import { firstString } from './graph-body.js';
import { invalidAppSecretProof } from './graph-errors.js';
import type { GraphTokenVerifier, TokenPrincipal } from './graph-principal.js';
import type { GraphAuth, GraphCall } from './graph-types.js';

/** Parameters that carry credentials: read here, never handed to an endpoint. */
export const CREDENTIAL_PARAMS: ReadonlySet<string> = new Set(['access_token', 'appsecret_proof']);

/** Where a call's credentials may come from. */
export interface CredentialSource {
  query: Record<string, unknown>;
  fields: Record<string, unknown>;
  /** The `Authorization: Bearer` token of an HTTP request. */
  bearer?: string | undefined;
  /** For an in-process sub-request: the call it belongs to, whose token applies unless it carries its own. */
  parent?: GraphCall | undefined;
}

/** The verified principal of a call and the token it was verified from. */
export interface Authenticated {
  principal: TokenPrincipal;
  token: string;
}

/**
 * Finds the call's token and proof and verifies them. A sub-request that reuses its parent's
 * principal is answered at once, without a promise: a Graph batch has 50 of them.
 */
export function authenticateCall(
  pages: GraphTokenVerifier,
  source: CredentialSource,
  auth: GraphAuth,
): Authenticated | Promise<Authenticated> {
  const { query, fields, parent } = source;
  const token =
    firstString(query['access_token']) ?? firstString(fields['access_token']) ?? source.bearer ?? parent?.token;
  const proof = firstString(query['appsecret_proof']) ?? firstString(fields['appsecret_proof']);
  if (parent !== undefined && token === parent.token && proof === undefined && auth !== 'app')
    return { principal: parent.principal, token };
  return authenticate(pages, token, proof, auth).then((principal) => ({ principal, token: token as string }));
}

/**
 * Verifies the token (a page token, an app token `{app-id}|{app-secret}`, or either, as the
 * endpoint takes) and, when sent, its `appsecret_proof` (hex HMAC-SHA256 of the token keyed
 * by the app secret).
 */
export async function authenticate(
  pages: GraphTokenVerifier,
  token: string | undefined,
  proof: string | undefined,
  auth: GraphAuth = 'page',
): Promise<TokenPrincipal> {
  const asApp = auth === 'app' || (auth === 'any' && token?.includes('|') === true);
  const principal = asApp ? await pages.verifyAppToken(token) : await pages.verifyToken(token);
  if (proof !== undefined) {
    const expected = createHmac('sha256', await pages.appSecret(principal.appId))
      .update(token as string)
      .digest('hex');
    if (!safeEqual(proof.toLowerCase(), expected)) throw invalidAppSecretProof();
  }
  return principal;
}

/** Refuses a path that names a page or app other than the principal's, as an unknown object. */
export function assertOwnObjects(path: Record<string, string>, principal: TokenPrincipal): void {
  if (path['pageId'] !== undefined && path['pageId'] !== principal.pageId) throw new PlatformError('UNKNOWN_OBJECT');
  if (path['appId'] !== undefined && path['appId'] !== principal.appId) throw new PlatformError('UNKNOWN_OBJECT');
}

/** The token of an `Authorization: Bearer` (or `OAuth`) header. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(header);
  return match?.[1];
}

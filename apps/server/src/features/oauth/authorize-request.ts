/**
 * The authorization request (RFC 6749 §4.1.1 with OAuth 2.1's rules): a registered
 * client, one of its exact redirect URIs, `response_type=code`, a PKCE S256 challenge
 * (plain is refused), and, when given, the MCP resource as `resource` (RFC 8707).
 * Problems with the client or redirect URI are shown to the customer (never redirected);
 * every later problem is returned to the client at its redirect URI.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../storage/schema.js';
import { findClient } from './clients.js';
import type { OAuthErrorCode } from './oauth-error.js';
import { resourceOf } from './tokens.js';

export const SUPPORTED_SCOPES = ['read', 'act'] as const;

export const AuthorizeParamsSchema = z.object({
  response_type: z.string().max(64).optional(),
  client_id: z.string().max(100).optional(),
  redirect_uri: z.string().max(2048).optional(),
  code_challenge: z.string().max(256).optional(),
  code_challenge_method: z.string().max(32).optional(),
  state: z.string().max(1024).optional(),
  scope: z.string().max(200).optional(),
  resource: z.string().max(2048).optional(),
});
export type AuthorizeParams = z.infer<typeof AuthorizeParamsSchema>;

export interface ValidAuthorizeRequest {
  clientId: string;
  clientName: string;
  redirectUri: string;
  codeChallenge: string;
  state: string | undefined;
  /** Requested scopes among the supported ones; `read` is always included. */
  scopes: string[];
  resource: string;
}

export type AuthorizeCheck =
  | { kind: 'ok'; request: ValidAuthorizeRequest }
  /** Shown to the customer: the client or its redirect URI cannot be trusted. */
  | { kind: 'page'; message: string }
  /** Sent back to the client's redirect URI. */
  | { kind: 'redirect'; redirectUri: string; state: string | undefined; error: OAuthErrorCode; description: string };

export async function checkAuthorizeRequest(
  db: Kysely<Database>,
  publicUrl: string,
  raw: unknown,
): Promise<AuthorizeCheck> {
  const parsed = AuthorizeParamsSchema.safeParse(raw);
  if (!parsed.success) return { kind: 'page', message: 'The request from the assistant is not valid.' };
  const p = parsed.data;
  const client = p.client_id === undefined ? undefined : await findClient(db, p.client_id);
  if (client === undefined) return { kind: 'page', message: 'The assistant is not registered with this Confide.' };
  const redirectUri = p.redirect_uri ?? (client.redirectUris.length === 1 ? client.redirectUris[0] : undefined);
  if (redirectUri === undefined || !client.redirectUris.includes(redirectUri)) {
    return { kind: 'page', message: 'The assistant gave a return address it did not register.' };
  }
  const back = (error: OAuthErrorCode, description: string): AuthorizeCheck => ({
    kind: 'redirect',
    redirectUri,
    state: p.state,
    error,
    description,
  });
  if (p.response_type !== 'code') return back('unsupported_response_type', 'Only response_type=code is supported.');
  if (p.code_challenge_method !== 'S256')
    return back('invalid_request', 'PKCE with code_challenge_method=S256 is required.');
  if (p.code_challenge === undefined || !/^[A-Za-z0-9_-]{43}$/.test(p.code_challenge))
    return back('invalid_request', 'code_challenge must be a base64url SHA-256.');
  const resource = resourceOf(publicUrl);
  if (p.resource !== undefined && p.resource !== resource)
    return back('invalid_target', `Tokens are issued only for ${resource}.`);
  const requested = (p.scope ?? 'read').split(' ').filter((s) => s !== '');
  const unknown = requested.find((s) => !(SUPPORTED_SCOPES as readonly string[]).includes(s));
  if (unknown !== undefined) return back('invalid_scope', `Unknown scope ${unknown}.`);
  const scopes = requested.includes('act') ? ['read', 'act'] : ['read'];
  return {
    kind: 'ok',
    request: {
      clientId: client.clientId,
      clientName: client.name,
      redirectUri,
      codeChallenge: p.code_challenge,
      state: p.state,
      scopes,
      resource,
    },
  };
}

/** The redirect back to the client with its parameters (and `iss`, RFC 9207). */
export function redirectBack(redirectUri: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

/** The form-action source allowing the redirect after the consent form (origin, or a native app's scheme). */
export function redirectTarget(redirectUri: string): string {
  const url = new URL(redirectUri);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol;
}

/**
 * The token endpoint's work: single-use authorization codes checked against their PKCE
 * S256 challenge, short-lived access tokens (JWT `at+jwt`, RFC 9068, signed with the hub's
 * key and bound to the MCP resource as audience), and refresh tokens rotated on every
 * use. A replayed code or a reused refresh token revokes the whole token family.
 */
import { createHash } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { HubContext } from '../../context.js';
import { SigningKeys } from '../../crypto/signing-keys.js';
import { newId, randomSecret, safeEqual, sha256Hex } from '../../crypto/tokens.js';
import type { WriteTx } from '../../storage/write-queue.js';
import { findGrant, isLive, type AssistantGrant } from '../assistant/grants.js';
import { OAuthError } from './oauth-error.js';

/** Lifetimes: access tokens are short, so a revocation also stops tokens nobody checks; codes are one minute. */
export const ACCESS_TOKEN_TTL_S = 300;
export const CODE_TTL_MS = 60_000;
export const REFRESH_TOKEN_TTL_MS = 30 * 86_400_000;
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** The URL of the protected resource (the MCP endpoint): every access token's audience. */
export const resourceOf = (publicUrl: string) => `${publicUrl}/mcp`;

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  scope: string;
}

/** Who an access token acts for, once verified and its grant found active. */
export interface AssistantPrincipal {
  customerId: string;
  clientId: string;
  grant: AssistantGrant;
  scopes: string[];
}

declare module '../../http/auth.js' {
  interface AuthKinds {
    /** A customer's assistant, by its OAuth access token (`/mcp`, `/alexa`). */
    assistant: AssistantPrincipal;
  }
}

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** Stores a fresh code for an approved authorization request; returns the code. */
export async function issueCode(
  tx: WriteTx,
  input: {
    clientId: string;
    customerId: string;
    grantId: string;
    redirectUri: string;
    codeChallenge: string;
    scope: string;
    now: number;
  },
): Promise<string> {
  const code = randomSecret(32);
  await tx.db
    .insertInto('oauth_codes')
    .values({
      code_hash: sha256Hex(code),
      client_id: input.clientId,
      customer_id: input.customerId,
      grant_id: input.grantId,
      redirect_uri: input.redirectUri,
      code_challenge: input.codeChallenge,
      scope: input.scope,
      expires_at: input.now + CODE_TTL_MS,
      used_at: null,
      family_id: newId('rtf', 12),
    })
    .execute();
  return code;
}

export interface CodeExchange {
  code: string;
  clientId: string;
  redirectUri: string;
  codeVerifier: string;
  resource: string | undefined;
}

/**
 * Exchanges a code. The code is marked used before anything else is checked, so a second
 * use fails even when the first failed; a replay of a code already exchanged revokes the
 * refresh tokens it produced. Returns the tokens, or throws `invalid_grant`.
 */
export async function exchangeCode(tx: WriteTx, ctx: HubContext, input: CodeExchange): Promise<TokenResponse> {
  const now = ctx.now();
  const row = await tx.db
    .selectFrom('oauth_codes')
    .selectAll()
    .where('code_hash', '=', sha256Hex(input.code))
    .executeTakeFirst();
  if (row === undefined) throw new OAuthError('invalid_grant', 'The authorization code is not valid.');
  if (row.used_at !== null) {
    await tx.db
      .updateTable('oauth_refresh_tokens')
      .set({ revoked_at: now })
      .where('family_id', '=', row.family_id)
      .where('revoked_at', 'is', null)
      .execute();
    throw new OAuthError(
      'invalid_grant',
      'The authorization code was already used; the tokens it produced are revoked.',
    );
  }
  await tx.db.updateTable('oauth_codes').set({ used_at: now }).where('code_hash', '=', row.code_hash).execute();
  if (Number(row.expires_at) <= now) throw new OAuthError('invalid_grant', 'The authorization code has expired.');
  if (!safeEqual(row.client_id, input.clientId))
    throw new OAuthError('invalid_grant', 'The authorization code was issued to another client.');
  if (row.redirect_uri !== input.redirectUri)
    throw new OAuthError('invalid_grant', 'redirect_uri does not match the authorization request.');
  if (
    !/^[A-Za-z0-9\-._~]{43,128}$/.test(input.codeVerifier) ||
    !safeEqual(s256(input.codeVerifier), row.code_challenge)
  ) {
    throw new OAuthError('invalid_grant', 'The code_verifier does not match the code_challenge.');
  }
  checkResource(ctx, input.resource);
  const grant = await findGrant(tx.db, row.grant_id);
  if (!isLive(grant, now))
    throw new OAuthError('invalid_grant', 'The customer withdrew this authorization, or it expired.');
  return issueTokens(tx, ctx, {
    familyId: row.family_id,
    clientId: row.client_id,
    customerId: row.customer_id,
    grantId: row.grant_id,
    scope: row.scope,
    now,
  });
}

/** Rotates a refresh token: the old one is spent; a spent one presented again revokes its family. */
export async function refresh(
  tx: WriteTx,
  ctx: HubContext,
  input: { refreshToken: string; clientId: string; resource: string | undefined },
): Promise<TokenResponse> {
  const now = ctx.now();
  const row = await tx.db
    .selectFrom('oauth_refresh_tokens')
    .selectAll()
    .where('token_hash', '=', sha256Hex(input.refreshToken))
    .executeTakeFirst();
  if (row === undefined || !safeEqual(row.client_id, input.clientId))
    throw new OAuthError('invalid_grant', 'The refresh token is not valid.');
  if (row.used_at !== null) {
    await tx.db
      .updateTable('oauth_refresh_tokens')
      .set({ revoked_at: now })
      .where('family_id', '=', row.family_id)
      .where('revoked_at', 'is', null)
      .execute();
    throw new OAuthError('invalid_grant', 'The refresh token was already used; its family is revoked.');
  }
  if (row.revoked_at !== null || Number(row.expires_at) <= now)
    throw new OAuthError('invalid_grant', 'The refresh token is revoked or expired.');
  checkResource(ctx, input.resource);
  const grant = await findGrant(tx.db, row.grant_id);
  if (!isLive(grant, now))
    throw new OAuthError('invalid_grant', 'The customer withdrew this authorization, or it expired.');
  await tx.db
    .updateTable('oauth_refresh_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', row.token_hash)
    .execute();
  // The scope follows the grant as it is now (the customer may have withdrawn `act`).
  const scope = scopeOf(grant, row.scope.split(' '));
  return issueTokens(tx, ctx, {
    familyId: row.family_id,
    clientId: row.client_id,
    customerId: row.customer_id,
    grantId: row.grant_id,
    scope,
    now,
  });
}

/** The granted scope string: `read`, plus `act` when requested and allowed. */
export function scopeOf(grant: Pick<AssistantGrant, 'canAct'>, requested: readonly string[]): string {
  return grant.canAct && requested.includes('act') ? 'read act' : 'read';
}

function checkResource(ctx: HubContext, resource: string | undefined): void {
  if (resource !== undefined && resource !== resourceOf(ctx.config.publicUrl)) {
    throw new OAuthError('invalid_target', `This server issues tokens only for ${resourceOf(ctx.config.publicUrl)}.`);
  }
}

async function issueTokens(
  tx: WriteTx,
  ctx: HubContext,
  input: { familyId: string; clientId: string; customerId: string; grantId: string; scope: string; now: number },
): Promise<TokenResponse> {
  const iat = Math.floor(input.now / 1000);
  const accessToken = await SigningKeys.of(ctx).sign(
    {
      iss: ctx.config.publicUrl,
      sub: input.customerId,
      aud: resourceOf(ctx.config.publicUrl),
      client_id: input.clientId,
      grant_id: input.grantId,
      scope: input.scope,
      iat,
      exp: iat + ACCESS_TOKEN_TTL_S,
      jti: newId('at', 12),
    },
    ACCESS_TOKEN_TYPE,
  );
  const refreshToken = randomSecret(32);
  await tx.db
    .insertInto('oauth_refresh_tokens')
    .values({
      token_hash: sha256Hex(refreshToken),
      family_id: input.familyId,
      client_id: input.clientId,
      customer_id: input.customerId,
      grant_id: input.grantId,
      scope: input.scope,
      expires_at: input.now + REFRESH_TOKEN_TTL_MS,
      used_at: null,
      revoked_at: null,
    })
    .execute();
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: ACCESS_TOKEN_TTL_S,
    refresh_token: refreshToken,
    scope: input.scope,
  };
}

/** Why a bearer token was refused (the `error_description` of `WWW-Authenticate`). */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

/**
 * Verifies an access token for the MCP resource: signature by a trusted hub key, issuer,
 * audience, type and expiry, then the grant it names must still be active and belong to
 * the token's customer and client (so a revocation takes effect on the very next call).
 */
export async function verifyAccessToken(ctx: HubContext, token: string): Promise<AssistantPrincipal> {
  let payload: Record<string, unknown>;
  try {
    const jwks = createLocalJWKSet(await SigningKeys.of(ctx).jwks());
    ({ payload } = await jwtVerify(token, jwks, {
      issuer: ctx.config.publicUrl,
      audience: resourceOf(ctx.config.publicUrl),
      typ: ACCESS_TOKEN_TYPE,
      algorithms: ['ES256'],
      currentDate: new Date(ctx.now()),
      requiredClaims: ['sub', 'exp', 'client_id', 'grant_id', 'scope'],
    }));
  } catch (err) {
    throw new InvalidTokenError(
      (err as { code?: string }).code === 'ERR_JWT_EXPIRED'
        ? 'The access token expired.'
        : 'The access token is not valid for this resource.',
    );
  }
  const grant = await findGrant(ctx.storage.db, String(payload['grant_id']));
  if (grant === undefined || grant.status !== 'active')
    throw new InvalidTokenError('The customer revoked this assistant.');
  if (!isLive(grant, ctx.now())) throw new InvalidTokenError('The customer’s permission for this assistant expired.');
  if (grant.customerId !== payload['sub'] || grant.clientId !== payload['client_id'])
    throw new InvalidTokenError('The access token is not valid for this resource.');
  const scopes = String(payload['scope']).split(' ');
  // `act` also needs the grant to still allow it (the customer may have changed it since).
  return {
    customerId: grant.customerId,
    clientId: grant.clientId,
    grant,
    scopes: grant.canAct ? scopes : scopes.filter((s) => s !== 'act'),
  };
}

/**
 * Dynamic client registration (RFC 7591) for assistants. Assistants are public clients
 * (`none`: PKCE, no secret) unless they ask for `client_secret_basic` or
 * `client_secret_post` (an Alexa skill's account linking sends a secret): they then get a
 * secret, shown once and stored as its SHA-256. PKCE is required either way. Redirect URIs must be
 * absolute, without fragment, and either https, http on a loopback host (native apps,
 * RFC 8252 §7.3), or a private-use scheme of a native app (`com.example.app:/cb`);
 * plain http to any other host is refused.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { newId, randomSecret, safeEqual, sha256Hex } from '../../crypto/tokens.js';
import type { Database } from '../../storage/schema.js';
import type { WriteTx } from '../../storage/write-queue.js';
import { OAuthError } from './oauth-error.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
/** Schemes never acceptable as a redirect (they run code or read local files). */
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'file:', 'vbscript:', 'blob:', 'about:']);

export const RegistrationSchema = z
  .object({
    redirect_uris: z.array(z.string().min(1).max(2048)).min(1).max(10),
    client_name: z.string().min(1).max(100).optional(),
    token_endpoint_auth_method: z.string().max(64).optional(),
    grant_types: z.array(z.string().max(64)).max(10).optional(),
    response_types: z.array(z.string().max(64)).max(10).optional(),
    scope: z.string().max(200).optional(),
  })
  .passthrough();

export const AUTH_METHODS = ['none', 'client_secret_basic', 'client_secret_post'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

export interface RegisteredClient {
  client_id: string;
  client_id_issued_at: number;
  client_name: string;
  redirect_uris: string[];
  grant_types: string[];
  response_types: string[];
  token_endpoint_auth_method: AuthMethod;
  /** Confidential clients only: shown once, never stored in the clear. */
  client_secret?: string;
  client_secret_expires_at?: 0;
}

/** Checks one redirect URI; returns a reason when it is refused. */
export function redirectUriProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.hash !== '' || value.includes('#')) return 'must not have a fragment';
  if (FORBIDDEN_SCHEMES.has(url.protocol)) return `uses the ${url.protocol} scheme`;
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:')
    return LOOPBACK_HOSTS.has(url.hostname) ? undefined : 'uses http: to a host that is not loopback';
  // A native app's private-use scheme must look like a reversed domain name (RFC 8252 §7.1).
  return /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(url.protocol)
    ? undefined
    : 'uses a scheme that is neither https, loopback http nor a reversed-domain app scheme';
}

export async function registerClient(tx: WriteTx, body: unknown, now: number): Promise<RegisteredClient> {
  const parsed = RegistrationSchema.safeParse(body);
  if (!parsed.success)
    throw new OAuthError(
      'invalid_client_metadata',
      `Invalid registration: ${parsed.error.issues[0]?.path.join('.') || 'body'} ${parsed.error.issues[0]?.message ?? ''}`.trim(),
    );
  const meta = parsed.data;
  for (const uri of meta.redirect_uris) {
    const problem = redirectUriProblem(uri);
    if (problem !== undefined) throw new OAuthError('invalid_redirect_uri', `redirect_uri ${problem}.`);
  }
  const grantTypes = meta.grant_types ?? ['authorization_code', 'refresh_token'];
  if (grantTypes.some((g) => g !== 'authorization_code' && g !== 'refresh_token')) {
    throw new OAuthError(
      'invalid_client_metadata',
      'Only the authorization_code and refresh_token grant types are supported.',
    );
  }
  if (meta.response_types !== undefined && meta.response_types.some((r) => r !== 'code')) {
    throw new OAuthError('invalid_client_metadata', 'Only the code response type is supported.');
  }
  const method = meta.token_endpoint_auth_method ?? 'none';
  if (!(AUTH_METHODS as readonly string[]).includes(method)) {
    throw new OAuthError(
      'invalid_client_metadata',
      `token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}.`,
    );
  }
  const secret = method === 'none' ? undefined : randomSecret(32);
  const client: RegisteredClient = {
    client_id: newId('mcp', 16),
    client_id_issued_at: Math.floor(now / 1000),
    client_name: meta.client_name ?? 'An assistant',
    redirect_uris: [...new Set(meta.redirect_uris)],
    grant_types: grantTypes,
    response_types: ['code'],
    token_endpoint_auth_method: method as AuthMethod,
    ...(secret === undefined ? {} : { client_secret: secret, client_secret_expires_at: 0 as const }),
  };
  await tx.db
    .insertInto('oauth_clients')
    .values({
      client_id: client.client_id,
      client_name: client.client_name,
      redirect_uris: JSON.stringify(client.redirect_uris),
      token_endpoint_auth_method: client.token_endpoint_auth_method,
      client_secret_hash: secret === undefined ? null : sha256Hex(secret),
      created_at: now,
    })
    .execute();
  return client;
}

export async function findClient(
  db: Kysely<Database>,
  clientId: string,
): Promise<{ clientId: string; name: string; redirectUris: string[] } | undefined> {
  if (clientId.length > 100) return undefined;
  const row = await db.selectFrom('oauth_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
  return row === undefined
    ? undefined
    : { clientId: row.client_id, name: row.client_name, redirectUris: JSON.parse(row.redirect_uris) as string[] };
}

/**
 * Authenticates a client at the token endpoint by its registered method: public clients
 * name themselves (`client_id`), confidential ones prove their secret (HTTP Basic or the
 * form, as registered; never both, never the other one).
 * @throws OAuthError `invalid_client` (401).
 */
export async function authenticateClient(
  db: Kysely<Database>,
  input: { authorization: string | undefined; clientId: string | undefined; clientSecret: string | undefined },
): Promise<string> {
  let basic: { id: string; secret: string } | undefined;
  if (input.authorization !== undefined) {
    const m = /^Basic ([A-Za-z0-9+/=]{1,1024})$/.exec(input.authorization);
    const decoded = m === null ? '' : Buffer.from(m[1] ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 1) throw new OAuthError('invalid_client', 'Malformed HTTP Basic client authentication.');
    try {
      basic = { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
    } catch {
      throw new OAuthError('invalid_client', 'Malformed HTTP Basic client authentication.');
    }
  }
  const clientId = basic?.id ?? input.clientId;
  if (clientId === undefined || (basic !== undefined && input.clientId !== undefined && input.clientId !== basic.id)) {
    throw new OAuthError('invalid_client', 'Name the client once: client_id or HTTP Basic.');
  }
  const row =
    clientId.length > 100
      ? undefined
      : await db.selectFrom('oauth_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
  const method = row?.token_endpoint_auth_method;
  const presented =
    method === 'client_secret_basic'
      ? basic?.secret
      : method === 'client_secret_post' && basic === undefined
        ? input.clientSecret
        : undefined;
  const ok =
    row !== undefined &&
    (method === 'none'
      ? basic === undefined && input.clientSecret === undefined
      : presented !== undefined &&
        row.client_secret_hash !== null &&
        safeEqual(sha256Hex(presented), row.client_secret_hash));
  if (!ok) throw new OAuthError('invalid_client', 'Client authentication failed.');
  return clientId;
}

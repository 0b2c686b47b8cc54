/**
 * Confide as the OAuth 2.1 authorization server of its MCP endpoint:
 * - `GET /.well-known/oauth-protected-resource[/mcp]` (RFC 9728) and
 *   `GET /.well-known/oauth-authorization-server` (RFC 8414);
 * - `POST /oauth/register` (RFC 7591, public clients);
 * - `GET|POST /oauth/authorize`: the hub's consent screen, on the customer's session;
 * - `POST /oauth/token`: authorization_code (PKCE S256) and refresh_token (rotation).
 * Errors are OAuth's JSON (`error`, `error_description`) on the API endpoints, pages or
 * redirects on the browser ones.
 */
import { isPlatformError } from '@confide/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { HubContext } from '../../context.js';
import { SigningKeys } from '../../crypto/signing-keys.js';
import { safeEqual, sha256Hex } from '../../crypto/tokens.js';
import { assertSameOrigin, SESSION_COOKIE } from '../../http/customer-auth.js';
import type { Privacy } from '../../privacy/privacy.js';
import { grantAssistantInTx, ownPages, presentGrant } from '../assistant/grants.js';
import { CONSENT_CATEGORIES } from '../consent/categories.js';
import type { Accounts } from '../customers/accounts.js';
import { sendErrorPage } from '../linking/consent-screen.js';
import {
  AuthorizeParamsSchema,
  checkAuthorizeRequest,
  redirectBack,
  redirectTarget,
  SUPPORTED_SCOPES,
  type ValidAuthorizeRequest,
} from './authorize-request.js';
import { AUTH_METHODS, authenticateClient, registerClient } from './clients.js';
import { sendAssistantConsent, sendLoginFirst } from './consent-page.js';
import { OAuthError } from './oauth-error.js';
import { pruneUnusedClients, RegistrationLimit } from './registration-limit.js';
import { exchangeCode, issueCode, refresh, resourceOf, scopeOf, type TokenResponse } from './tokens.js';

const listOf = z
  .union([z.string().max(128), z.array(z.string().max(128)).max(64)])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));
const ConsentFormSchema = AuthorizeParamsSchema.extend({
  csrf: z.string().min(1).max(128),
  action: z.enum(['continue', 'cancel']),
  pages: listOf,
  categories: listOf,
  act: z.literal('yes').optional(),
});
const TokenFormSchema = z.object({
  grant_type: z.string().max(64),
  client_id: z.string().max(100).optional(),
  client_secret: z.string().max(256).optional(),
  code: z.string().max(256).optional(),
  redirect_uri: z.string().max(2048).optional(),
  code_verifier: z.string().max(256).optional(),
  refresh_token: z.string().max(256).optional(),
  resource: z.string().max(2048).optional(),
  scope: z.string().max(200).optional(),
});

/** Where the protected-resource metadata of the MCP endpoint lives (named in every 401's WWW-Authenticate). */
export const resourceMetadataUrl = (publicUrl: string) => `${publicUrl}/.well-known/oauth-protected-resource/mcp`;

export function oauthRoutes(ctx: HubContext, accounts: Accounts, privacy: Privacy) {
  const issuer = ctx.config.publicUrl;
  const registrations = new RegistrationLimit();

  /** The consent form's CSRF token: bound to the session and the authorization request. */
  const csrfOf = (sessionToken: string, r: ValidAuthorizeRequest) =>
    createHmac('sha256', ctx.config.serviceKey)
      .update(
        [
          'oauth-csrf',
          sha256Hex(sessionToken),
          r.clientId,
          r.redirectUri,
          r.codeChallenge,
          r.state ?? '',
          r.scopes.join(' '),
        ].join('\u0000'),
      )
      .digest('base64url');

  async function session(request: FastifyRequest): Promise<{ customerId: string; token: string } | undefined> {
    const token = request.cookies[SESSION_COOKIE];
    const customer = token === undefined ? undefined : await accounts.authenticate(token);
    return customer === undefined || token === undefined ? undefined : { customerId: customer.id, token };
  }

  function sendOAuthError(reply: FastifyReply, err: OAuthError): FastifyReply {
    return reply.status(err.status).headers({ 'cache-control': 'no-store', pragma: 'no-cache' }).send(err.toJSON());
  }

  async function businessesOf(customerId: string) {
    const rows = await ctx.storage.db
      .selectFrom('conversations as c')
      .innerJoin('pages as p', 'p.id', 'c.page_id')
      .select(['p.id as pageId', 'p.name as name'])
      .where('c.customer_id', '=', customerId)
      .orderBy('p.name')
      .execute();
    return rows;
  }

  return async (app: FastifyInstance): Promise<void> => {
    const protectedResource = async () => ({
      resource: resourceOf(issuer),
      authorization_servers: [issuer],
      scopes_supported: [...SUPPORTED_SCOPES],
      bearer_methods_supported: ['header'],
      resource_name: 'Confide (your conversations with your banks and merchants)',
    });
    app.get('/.well-known/oauth-protected-resource/mcp', { schema: { hide: true } }, protectedResource);
    app.get('/.well-known/oauth-protected-resource', { schema: { hide: true } }, protectedResource);
    app.get('/.well-known/oauth-authorization-server', { schema: { hide: true } }, async () => ({
      issuer,
      authorization_endpoint: `${issuer}/oauth/authorize`,
      token_endpoint: `${issuer}/oauth/token`,
      registration_endpoint: `${issuer}/oauth/register`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      scopes_supported: [...SUPPORTED_SCOPES],
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_methods_supported: [...AUTH_METHODS],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    }));

    app.post('/oauth/register', { schema: { hide: true } }, async (request, reply) => {
      const wait = registrations.take(request.ip, ctx.now());
      if (wait !== undefined) {
        return reply
          .status(429)
          .headers({ 'retry-after': String(wait), 'cache-control': 'no-store' })
          .send({
            error: 'temporarily_unavailable',
            error_description: 'Too many registrations from this address; try again later.',
          });
      }
      try {
        const client = await ctx.storage.writes.run(async (tx) => {
          await pruneUnusedClients(tx, ctx.now());
          return registerClient(tx, request.body, ctx.now());
        });
        return reply.status(201).header('cache-control', 'no-store').send(client);
      } catch (err) {
        if (err instanceof OAuthError) return sendOAuthError(reply, err);
        throw err;
      }
    });

    app.get('/oauth/authorize', { schema: { hide: true } }, async (request, reply) => {
      const check = await checkAuthorizeRequest(ctx.storage.db, issuer, request.query);
      if (check.kind === 'page') return sendErrorPage(reply, 400, 'This assistant cannot connect', check.message);
      if (check.kind === 'redirect') {
        return reply.redirect(
          redirectBack(check.redirectUri, {
            error: check.error,
            error_description: check.description,
            state: check.state,
            iss: issuer,
          }),
          303,
        );
      }
      const who = await session(request);
      if (who === undefined) return sendLoginFirst(reply, request.url);
      const r = check.request;
      await SigningKeys.of(ctx).ensure();
      const existing = await ctx.storage.db
        .selectFrom('assistant_grants')
        .selectAll()
        .where('customer_id', '=', who.customerId)
        .where('client_id', '=', r.clientId)
        .where('status', '=', 'active')
        .executeTakeFirst();
      const current = existing === undefined ? undefined : presentGrant(existing);
      const hidden: Record<string, string> = {
        csrf: csrfOf(who.token, r),
        response_type: 'code',
        client_id: r.clientId,
        redirect_uri: r.redirectUri,
        code_challenge: r.codeChallenge,
        code_challenge_method: 'S256',
        scope: r.scopes.join(' '),
        resource: r.resource,
      };
      if (r.state !== undefined) hidden['state'] = r.state;
      return sendAssistantConsent(reply, {
        clientName: r.clientName,
        redirectHost: new URL(r.redirectUri).host || new URL(r.redirectUri).protocol,
        businesses: await businessesOf(who.customerId),
        categories: CONSENT_CATEGORIES,
        asksToAct: r.scopes.includes('act'),
        current,
        hidden,
        redirectTarget: redirectTarget(r.redirectUri),
      });
    });

    app.post('/oauth/authorize', { schema: { hide: true } }, async (request, reply) => {
      const who = await session(request);
      if (who === undefined)
        return sendErrorPage(reply, 401, 'Log in to continue', 'Log in to Confide, then connect your assistant again.');
      try {
        assertSameOrigin(request, issuer, true);
      } catch {
        return sendErrorPage(reply, 403, 'Request refused', 'This request did not come from Confide.');
      }
      const form = ConsentFormSchema.safeParse(request.body);
      if (!form.success) return sendErrorPage(reply, 400, 'Something is not right', 'The form is incomplete.');
      const check = await checkAuthorizeRequest(ctx.storage.db, issuer, form.data);
      if (check.kind === 'page') return sendErrorPage(reply, 400, 'This assistant cannot connect', check.message);
      if (check.kind === 'redirect') {
        return reply.redirect(
          redirectBack(check.redirectUri, {
            error: check.error,
            error_description: check.description,
            state: check.state,
            iss: issuer,
          }),
          303,
        );
      }
      const r = check.request;
      if (!safeEqual(form.data.csrf, csrfOf(who.token, r)))
        return sendErrorPage(reply, 403, 'Request refused', 'This request did not come from Confide.');
      if (form.data.action === 'cancel') {
        return reply.redirect(
          redirectBack(r.redirectUri, {
            error: 'access_denied',
            error_description: 'The customer declined.',
            state: r.state,
            iss: issuer,
          }),
          303,
        );
      }
      const pageIds = await ownPages(ctx.storage.db, who.customerId, form.data.pages);
      const categories = form.data.categories;
      if (
        pageIds.length !== new Set(form.data.pages).size ||
        categories.some((c) => !(CONSENT_CATEGORIES as readonly string[]).includes(c))
      ) {
        return sendErrorPage(
          reply,
          400,
          'Something is not right',
          'The form names a business or a kind of update you cannot choose.',
        );
      }
      const canAct = r.scopes.includes('act') && form.data.act === 'yes';
      await SigningKeys.of(ctx).ensure();
      try {
        const { code, grant, event } = await ctx.storage.writes.run(async (tx) => {
          const before = await tx.db
            .selectFrom('assistant_grants')
            .select('status')
            .where('customer_id', '=', who.customerId)
            .where('client_id', '=', r.clientId)
            .executeTakeFirst();
          const grant = await grantAssistantInTx(
            tx,
            { keys: SigningKeys.of(ctx), issuer },
            {
              customerId: who.customerId,
              clientId: r.clientId,
              choice: { pageIds, categories, canAct },
              source: 'authorize',
              now: ctx.now(),
            },
          );
          const scope = scopeOf(grant, r.scopes);
          const code = await issueCode(tx, {
            clientId: r.clientId,
            customerId: who.customerId,
            grantId: grant.id,
            redirectUri: r.redirectUri,
            codeChallenge: r.codeChallenge,
            scope,
            now: ctx.now(),
          });
          return { code, grant, event: before?.status === 'active' ? ('changed' as const) : ('granted' as const) };
        });
        await privacy.record({
          actor: `customer:${who.customerId}`,
          action: event === 'granted' ? 'assistant.granted' : 'assistant.changed',
          customerId: who.customerId,
          target: `assistant:${r.clientId}`,
          details: {
            grant: grant.id,
            businesses: grant.pageIds.length,
            categories: grant.categories.join(','),
            act: grant.canAct,
          },
        });
        return reply.redirect(redirectBack(r.redirectUri, { code, state: r.state, iss: issuer }), 303);
      } catch (err) {
        if (isPlatformError(err) && err.status < 500)
          return sendErrorPage(reply, 400, 'Something is not right', err.message);
        throw err;
      }
    });

    app.post('/oauth/token', { schema: { hide: true } }, async (request, reply) => {
      const form = TokenFormSchema.safeParse(request.body);
      if (!form.success) return sendOAuthError(reply, new OAuthError('invalid_request', 'grant_type is required.'));
      const f = form.data;
      let clientId: string;
      try {
        clientId = await authenticateClient(ctx.storage.db, {
          authorization: request.headers.authorization,
          clientId: f.client_id,
          clientSecret: f.client_secret,
        });
      } catch (err) {
        if (!(err instanceof OAuthError)) throw err;
        if (request.headers.authorization !== undefined) void reply.header('www-authenticate', 'Basic realm="confide"');
        return sendOAuthError(reply, err);
      }
      if (f.grant_type !== 'authorization_code' && f.grant_type !== 'refresh_token') {
        return sendOAuthError(
          reply,
          new OAuthError('unsupported_grant_type', 'Use authorization_code or refresh_token.'),
        );
      }
      await SigningKeys.of(ctx).ensure();
      // Failures are returned, not thrown, so what they record (a spent code, a revoked family) commits.
      const result = await ctx.storage.writes.run(async (tx): Promise<TokenResponse | OAuthError> => {
        try {
          if (f.grant_type === 'authorization_code') {
            if (f.code === undefined || f.redirect_uri === undefined || f.code_verifier === undefined) {
              return new OAuthError('invalid_request', 'code, redirect_uri and code_verifier are required.');
            }
            return await exchangeCode(tx, ctx, {
              code: f.code,
              clientId,
              redirectUri: f.redirect_uri,
              codeVerifier: f.code_verifier,
              resource: f.resource,
            });
          }
          if (f.refresh_token === undefined) return new OAuthError('invalid_request', 'refresh_token is required.');
          return await refresh(tx, ctx, { refreshToken: f.refresh_token, clientId, resource: f.resource });
        } catch (err) {
          if (err instanceof OAuthError) return err;
          throw err;
        }
      });
      if (result instanceof OAuthError) return sendOAuthError(reply, result);
      return reply.headers({ 'cache-control': 'no-store', pragma: 'no-cache' }).send(result);
    });
  };
}

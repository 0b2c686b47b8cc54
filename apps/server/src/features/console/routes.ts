/**
 * The business console API under `/console/api` (OpenAPI tag `console`): sign-in, sign-up
 * when allowed, members and invites, pages, the app secret and page tokens. Errors use the
 * customer API shape `{error:{code,message,status,request_id}}`; another organisation's
 * objects are answered as not found.
 */
import {
  ConsoleAcceptInviteBodySchema,
  ConsoleAppSecretSchema,
  ConsoleCreatedPageSchema,
  ConsoleCreatedTokenSchema,
  ConsoleCreatePageBodySchema,
  ConsoleCreateTokenBodySchema,
  ConsoleInviteBodySchema,
  ConsoleInviteSchema,
  ConsoleMembersSchema,
  ConsolePageSchema,
  ConsolePagesSchema,
  ConsoleReauthBodySchema,
  ConsoleSessionSchema,
  ConsoleSignUpBodySchema,
  ConsoleTokensSchema,
  ConsolePageMetricsSchema,
  ConsoleConsentStatsSchema,
  CreateMessageTemplateRequestSchema,
  CreateMessageTemplateResponseSchema,
  ConsoleDeclarationsSchema,
  ConsoleDeclareBodySchema,
  ConsoleDeliveriesSchema,
  ConsoleDeliveryAttemptSchema,
  ConsoleRedeliverBodySchema,
  ConsoleRedeliveredSchema,
  ConsoleSetWebhookBodySchema,
  ConsoleWebhookSchema,
  CredentialsBodySchema,
  PlatformError,
} from '@confide/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { HubContext } from '../../context.js';
import { assertSameOrigin } from '../../http/customer-auth.js';
import { CONSOLE_COOKIE, CONSOLE_COOKIE_PATH, memberOf, memberSessionOf, requireMember } from './console-auth.js';
import type { ConsolePages } from './console-pages.js';
import type { ConsoleWebhooks } from './console-webhooks.js';
import type { ConsoleConsent } from './console-consent.js';
import type { ConsolePeople } from './console-people.js';
import type { ConsoleTeams } from './console-teams.js';
import type { ConsolePictures } from './console-pictures.js';
import { consolePeopleRoutes } from './people-routes.js';
import { consolePictureRoutes } from './picture-routes.js';
import type { ConsoleTemplates } from './console-templates.js';
import type { ConsoleMetrics } from './console-metrics.js';
import type { ConsoleMembers, Member, MemberSessionGrant } from './members.js';
import { consoleSsoRoutes } from './sso-routes.js';

const tags = ['console'];
const PageParams = z.object({ pageId: z.string().min(1).max(64) });
const TokenParams = PageParams.extend({ tokenId: z.string().min(1).max(64) });

export function presentMember(m: Member) {
  return { id: m.id, username: m.username, role: m.role, created_at: m.created_at };
}
const presentSession = (m: Member) => ({ member: presentMember(m), organisation: { id: m.org_id, name: m.org_name } });

const DeliveriesQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });

const CategoryParams = PageParams.extend({ category: z.string().min(1).max(32) });

export interface ConsoleUseCases {
  members: ConsoleMembers;
  pages: ConsolePages;
  webhooks: ConsoleWebhooks;
  consent: ConsoleConsent;
  people: ConsolePeople;
  templates: ConsoleTemplates;
  metrics: ConsoleMetrics;
  teams: ConsoleTeams;
  pictures: ConsolePictures;
}

export function consoleRoutes(
  ctx: HubContext,
  { members, pages, webhooks, consent, people, templates, metrics, teams, pictures }: ConsoleUseCases,
) {
  const secure = ctx.config.publicUrl.startsWith('https://');
  const setCookie = (reply: FastifyReply, grant: MemberSessionGrant) =>
    reply.setCookie(CONSOLE_COOKIE, grant.sessionToken, {
      httpOnly: true,
      sameSite: 'strict',
      secure,
      path: CONSOLE_COOKIE_PATH,
      expires: new Date(grant.expiresAt),
    });

  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const auth = requireMember(members, ctx.config.publicUrl);
    await app.register(consoleSsoRoutes(ctx, members, setCookie));

    // ---- sign-in, sign-up, invites ---------------------------------------------------
    r.post(
      '/console/api/login',
      { schema: { tags, body: CredentialsBodySchema, response: { 200: ConsoleSessionSchema } } },
      async (request, reply) => {
        assertSameOrigin(request, ctx.config.publicUrl);
        const grant = await members.logIn(request.body, request.ip);
        setCookie(reply, grant);
        return presentSession(grant.member);
      },
    );
    r.post(
      '/console/api/signup',
      { schema: { tags, body: ConsoleSignUpBodySchema, response: { 201: ConsoleSessionSchema } } },
      async (request, reply) => {
        assertSameOrigin(request, ctx.config.publicUrl);
        if (!ctx.config.CONSOLE_SIGNUP)
          throw new PlatformError('FORBIDDEN', {
            message: 'Sign-up is closed on this hub: ask its operator for an organisation.',
          });
        const { organisation, username, password } = request.body;
        await members.createOrganisation({ name: organisation, username, password }, 'signup');
        const grant = await members.logIn({ username, password }, request.ip);
        setCookie(reply, grant);
        return reply.status(201).send(presentSession(grant.member));
      },
    );
    r.post(
      '/console/api/invites/accept',
      { schema: { tags, body: ConsoleAcceptInviteBodySchema, response: { 201: ConsoleSessionSchema } } },
      async (request, reply) => {
        assertSameOrigin(request, ctx.config.publicUrl);
        const { username, password } = request.body;
        await members.acceptInvite(request.body);
        const grant = await members.logIn({ username, password }, request.ip);
        setCookie(reply, grant);
        return reply.status(201).send(presentSession(grant.member));
      },
    );
    r.post('/console/api/logout', { schema: { tags }, onRequest: auth }, async (request, reply) => {
      await members.logOut(memberOf(request), memberSessionOf(request));
      reply.clearCookie(CONSOLE_COOKIE, { path: CONSOLE_COOKIE_PATH });
      return reply.status(204).send();
    });
    r.get(
      '/console/api/me',
      { schema: { tags, response: { 200: ConsoleSessionSchema } }, onRequest: auth },
      async (request) => presentSession(memberOf(request)),
    );

    // ---- members ------------------------------------------------------------------------
    r.get(
      '/console/api/members',
      { schema: { tags, response: { 200: ConsoleMembersSchema } }, onRequest: auth },
      async (request) => ({ data: (await members.list(memberOf(request))).map(presentMember) }),
    );
    r.post(
      '/console/api/invites',
      { schema: { tags, body: ConsoleInviteBodySchema, response: { 201: ConsoleInviteSchema } }, onRequest: auth },
      async (request, reply) => reply.status(201).send(await members.invite(memberOf(request), request.body.role)),
    );

    // ---- pages and credentials ----------------------------------------------------------
    r.get(
      '/console/api/pages',
      { schema: { tags, response: { 200: ConsolePagesSchema } }, onRequest: auth },
      async (request) => ({
        data: await pages.list(memberOf(request)),
      }),
    );
    r.post(
      '/console/api/pages',
      {
        schema: { tags, body: ConsoleCreatePageBodySchema, response: { 201: ConsoleCreatedPageSchema } },
        onRequest: auth,
      },
      async (request, reply) => reply.status(201).send(await pages.create(memberOf(request), request.body)),
    );
    r.get(
      '/console/api/pages/:pageId',
      { schema: { tags, params: PageParams, response: { 200: ConsolePageSchema } }, onRequest: auth },
      async (request) => pages.get(memberOf(request), request.params.pageId),
    );
    r.post(
      '/console/api/pages/:pageId/secret/reveal',
      {
        schema: { tags, params: PageParams, body: ConsoleReauthBodySchema, response: { 200: ConsoleAppSecretSchema } },
        onRequest: auth,
      },
      async (request) =>
        pages.revealSecret(memberOf(request), request.params.pageId, {
          password: request.body.password,
          ip: request.ip,
        }),
    );
    r.post(
      '/console/api/pages/:pageId/secret/rotate',
      {
        schema: { tags, params: PageParams, body: ConsoleReauthBodySchema, response: { 200: ConsoleAppSecretSchema } },
        onRequest: auth,
      },
      async (request) =>
        pages.rotateSecret(memberOf(request), request.params.pageId, {
          password: request.body.password,
          ip: request.ip,
        }),
    );
    r.get(
      '/console/api/pages/:pageId/tokens',
      { schema: { tags, params: PageParams, response: { 200: ConsoleTokensSchema } }, onRequest: auth },
      async (request) => ({
        data: await pages.tokens(memberOf(request), request.params.pageId),
      }),
    );
    r.post(
      '/console/api/pages/:pageId/tokens',
      {
        schema: {
          tags,
          params: PageParams,
          body: ConsoleCreateTokenBodySchema,
          response: { 201: ConsoleCreatedTokenSchema },
        },
        onRequest: auth,
      },
      async (request, reply) =>
        reply.status(201).send(await pages.createToken(memberOf(request), request.params.pageId, request.body.label)),
    );
    r.delete(
      '/console/api/pages/:pageId/tokens/:tokenId',
      { schema: { tags, params: TokenParams }, onRequest: auth },
      async (request, reply) => {
        await pages.revokeToken(memberOf(request), request.params.pageId, request.params.tokenId);
        return reply.status(204).send();
      },
    );

    // ---- webhook -------------------------------------------------------------------------
    const hook = '/console/api/pages/:pageId/webhook';
    r.get(
      hook,
      { schema: { tags, params: PageParams, response: { 200: ConsoleWebhookSchema } }, onRequest: auth },
      async (request) => webhooks.get(memberOf(request), request.params.pageId),
    );
    r.put(
      hook,
      {
        schema: {
          tags,
          params: PageParams,
          body: ConsoleSetWebhookBodySchema,
          response: { 200: ConsoleWebhookSchema },
        },
        onRequest: auth,
      },
      async (request) => webhooks.set(memberOf(request), request.params.pageId, request.body),
    );
    r.post(
      `${hook}/enable`,
      { schema: { tags, params: PageParams, response: { 200: ConsoleWebhookSchema } }, onRequest: auth },
      async (request) => webhooks.enable(memberOf(request), request.params.pageId),
    );
    r.post(
      `${hook}/test`,
      { schema: { tags, params: PageParams, response: { 200: ConsoleDeliveryAttemptSchema } }, onRequest: auth },
      async (request) => webhooks.sendTest(memberOf(request), request.params.pageId),
    );
    r.get(
      `${hook}/deliveries`,
      {
        schema: { tags, params: PageParams, querystring: DeliveriesQuery, response: { 200: ConsoleDeliveriesSchema } },
        onRequest: auth,
      },
      async (request) => ({
        data: await webhooks.deliveries(memberOf(request), request.params.pageId, request.query.limit),
      }),
    );
    r.post(
      `${hook}/redeliver`,
      {
        schema: {
          tags,
          params: PageParams,
          body: ConsoleRedeliverBodySchema,
          response: { 200: ConsoleRedeliveredSchema },
        },
        onRequest: auth,
      },
      async (request) => ({
        redelivered: await webhooks.redeliver(memberOf(request), request.params.pageId, request.body),
      }),
    );

    // ---- consent: declarations and statistics ---------------------------------------------
    r.get(
      '/console/api/pages/:pageId/declarations',
      { schema: { tags, params: PageParams, response: { 200: ConsoleDeclarationsSchema } }, onRequest: auth },
      async (request) => ({ data: await consent.declarations(memberOf(request), request.params.pageId) }),
    );
    r.put(
      '/console/api/pages/:pageId/declarations/:category',
      {
        schema: {
          tags,
          params: CategoryParams,
          body: ConsoleDeclareBodySchema,
          response: { 200: ConsoleDeclarationsSchema },
        },
        onRequest: auth,
      },
      async (request) => ({
        data: await consent.declare(
          memberOf(request),
          request.params.pageId,
          request.params.category,
          request.body.purpose,
        ),
      }),
    );
    r.get(
      '/console/api/pages/:pageId/consent-stats',
      { schema: { tags, params: PageParams, response: { 200: ConsoleConsentStatsSchema } }, onRequest: auth },
      async (request) => consent.stats(memberOf(request), request.params.pageId),
    );

    // ---- Messenger Profile, personas, inbox agents and teams; the page's picture ----------
    await app.register(consolePeopleRoutes(auth, people, teams));
    await app.register(consolePictureRoutes(auth, pictures));

    // ---- utility templates ---------------------------------------------------------------
    r.get(
      '/console/api/pages/:pageId/templates',
      {
        schema: {
          tags,
          params: PageParams,
          response: { 200: z.object({ data: z.array(z.record(z.string(), z.unknown())) }) },
        },
        onRequest: auth,
      },
      async (request) => ({ data: await templates.list(memberOf(request), request.params.pageId) }),
    );
    r.post(
      '/console/api/pages/:pageId/templates',
      {
        schema: {
          tags,
          params: PageParams,
          body: CreateMessageTemplateRequestSchema,
          response: { 201: CreateMessageTemplateResponseSchema },
        },
        onRequest: auth,
      },
      async (request, reply) =>
        reply.status(201).send(await templates.create(memberOf(request), request.params.pageId, request.body)),
    );

    r.get(
      '/console/api/pages/:pageId/metrics',
      { schema: { tags, params: PageParams, response: { 200: ConsolePageMetricsSchema } }, onRequest: auth },
      async (request) => metrics.get(memberOf(request), request.params.pageId),
    );
  };
}

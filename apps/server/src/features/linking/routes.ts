/**
 * Browser-facing linking routes (HTML, not JSON): the consent screen at `/link/start`
 * and the return from the business at `/messenger_platform/account_linking/`; plus the
 * Graph `POST /me/unlink_accounts` endpoint for businesses.
 */
import { isPlatformError, PlatformError } from '@confide/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { HubContext } from '../../context.js';
import { safeEqual, sha256Hex } from '../../crypto/tokens.js';
import { assertSameOrigin, SESSION_COOKIE } from '../../http/customer-auth.js';
import type { Accounts } from '../customers/accounts.js';
import { sendConsentScreen, sendErrorPage } from './consent-screen.js';
import type { Linking } from './linking.js';

const StartQuerySchema = z.object({ mid: z.string().min(1).max(64), url: z.string().min(1).max(2048) });
const StartFormSchema = StartQuerySchema.extend({
  csrf: z.string().min(1).max(128),
  action: z.enum(['continue', 'cancel']),
  categories: z
    .union([z.string(), z.array(z.string()).max(16)])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
});
const ReturnQuerySchema = z.object({
  account_linking_token: z.string().max(256).optional(),
  authorization_code: z.string().optional(),
});

/** The CSRF token of the consent form: bound to the session and the message. */
function csrfToken(serviceKey: Buffer, sessionToken: string, mid: string): string {
  return createHmac('sha256', serviceKey)
    .update(`link-csrf\u0000${sha256Hex(sessionToken)}\u0000${mid}`)
    .digest('base64url');
}

export function linkingRoutes(ctx: HubContext, accounts: Accounts, linking: Linking) {
  const home = (conversationId: string, query: string) =>
    `/?conversation=${encodeURIComponent(conversationId)}&${query}`;

  /** The logged-in customer and session, or an HTML page asking to log in. */
  async function session(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<{ customerId: string; token: string } | undefined> {
    const token = request.cookies[SESSION_COOKIE];
    const customer = token === undefined ? undefined : await accounts.authenticate(token);
    if (customer === undefined || token === undefined) {
      sendErrorPage(
        reply,
        401,
        'Log in to continue',
        'Log in to Confide, then tap the log-in button in your chat again.',
      );
      return undefined;
    }
    return { customerId: customer.id, token };
  }

  /** Renders expected failures as HTML instead of JSON. */
  function failure(reply: FastifyReply, err: unknown): FastifyReply {
    if (!isPlatformError(err) || err.status >= 500) throw err;
    if (err.key === 'FORBIDDEN_ORIGIN')
      return sendErrorPage(reply, 403, 'Request refused', 'This request did not come from Confide.');
    if (err.key === 'NOT_FOUND') return sendErrorPage(reply, 404, 'Link not available', err.message);
    return sendErrorPage(reply, 400, 'Something is not right', err.message);
  }

  return async (app: FastifyInstance): Promise<void> => {
    app.get('/link/start', { schema: { hide: true } }, async (request, reply) => {
      const who = await session(request, reply);
      if (who === undefined) return reply;
      try {
        const q = StartQuerySchema.safeParse(request.query);
        if (!q.success) throw new PlatformError('BAD_REQUEST', { message: 'The log-in link is incomplete.' });
        const link = await linking.prepare(who.customerId, q.data.mid, q.data.url);
        return sendConsentScreen(reply, {
          ...link,
          pageName: link.pageName,
          mid: q.data.mid,
          csrf: csrfToken(ctx.config.serviceKey, who.token, q.data.mid),
        });
      } catch (err) {
        return failure(reply, err);
      }
    });

    app.post('/link/start', { schema: { hide: true } }, async (request, reply) => {
      const who = await session(request, reply);
      if (who === undefined) return reply;
      try {
        assertSameOrigin(request, ctx.config.publicUrl);
        const form = StartFormSchema.safeParse(request.body);
        if (!form.success) throw new PlatformError('BAD_REQUEST', { message: 'The form is incomplete.' });
        const { mid, url, csrf, action, categories } = form.data;
        if (!safeEqual(csrf, csrfToken(ctx.config.serviceKey, who.token, mid))) {
          throw new PlatformError('FORBIDDEN_ORIGIN');
        }
        if (action === 'cancel') {
          const link = await linking.prepare(who.customerId, mid, url);
          return reply.redirect(home(link.conversationId, 'linked=0&reason=cancelled'), 303);
        }
        return reply.redirect(await linking.begin(who.customerId, mid, url, categories), 303);
      } catch (err) {
        return failure(reply, err);
      }
    });

    const complete = async (request: FastifyRequest, reply: FastifyReply) => {
      const q = ReturnQuerySchema.safeParse(request.query);
      const outcome = q.success
        ? await linking.complete(q.data.account_linking_token, q.data.authorization_code)
        : ({ kind: 'invalid' } as const);
      if (outcome.kind === 'invalid') {
        return sendErrorPage(
          reply,
          400,
          'This link has expired',
          'This account-linking link is expired, was already used, or is not valid. Go back to your chat and tap the log-in button again.',
        );
      }
      const query = outcome.linked ? 'linked=1' : `linked=0&reason=${encodeURIComponent(outcome.reason ?? 'aborted')}`;
      void reply.header('referrer-policy', 'no-referrer').header('cache-control', 'no-store');
      return reply.redirect(home(outcome.conversationId, query), 303);
    };
    app.get('/messenger_platform/account_linking/', { schema: { hide: true } }, complete);
    app.get('/messenger_platform/account_linking', { schema: { hide: true } }, complete);
  };
}

/** The router shape of the Platform API (`GraphRouter` in http/graph-request.ts). */
interface UnlinkRouter {
  route(
    method: 'POST',
    path: string,
    handler: (call: { params: Record<string, unknown>; principal: { pageId: string } }) => Promise<unknown>,
  ): void;
}

/** `POST /me/unlink_accounts {psid}` (and under any `/vX.Y`), page token in query or body. */
export function unlinkGraphRoutes(linking: Linking) {
  return (router: UnlinkRouter): void => {
    router.route('POST', '/me/unlink_accounts', async ({ params, principal }) => {
      const psid = params['psid'];
      if (typeof psid !== 'string' || !/^\d{1,32}$/.test(psid)) {
        throw new PlatformError('INVALID_PARAMETER', {
          message: 'The parameter psid is required',
          detail: { field: 'psid' },
        });
      }
      await linking.unlinkByPsid(principal.pageId, psid);
      return { result: 'unlink account success' };
    });
  };
}

/**
 * The single sign-on routes of one surface under `base` (`/inbox/api/sso`,
 * `/console/api/sso`): `GET base` tells the web app whether the button is shown, `start`
 * redirects to the provider with the pending sign-in sealed in a cookie, `callback`
 * completes it and hands the identity to the surface, which opens its usual session.
 * A refused callback answers a small page (or the API's JSON error) and writes nothing but
 * its audit record.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { refusalPage, SsoError } from './errors.js';
import type { SsoClient, SsoIdentity } from './oidc-client.js';
import { SSO_STATE_COOKIE, SSO_STATE_TTL_MS } from './state-cookie.js';

export interface SsoSurfaceRoutes {
  base: string;
  /** Where the browser goes after signing in, and back to from a refusal. */
  home: string;
  secure: boolean;
  client: SsoClient | undefined;
  /** Opens the surface's session for the identity (sets its cookie). @throws SsoError `unknown_subject`. */
  signIn(identity: SsoIdentity, request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Audits a refused callback. */
  refused(error: SsoError, request: FastifyRequest): Promise<void>;
}

const CallbackQuery = z.object({
  code: z.string().max(2048).optional(),
  state: z.string().max(512).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(1024).optional(),
  iss: z.string().max(2048).optional(),
});

export function ssoRoutes(surface: SsoSurfaceRoutes) {
  const { base, client } = surface;
  const cookieOptions = { httpOnly: true, sameSite: 'lax', secure: surface.secure, path: base } as const;

  return async (app: FastifyInstance): Promise<void> => {
    app.get(base, { schema: { tags: ['sso'] } }, async () => ({
      enabled: client !== undefined,
      start: `${base}/start`,
    }));
    if (client === undefined) return;

    app.get(`${base}/start`, { schema: { tags: ['sso'] } }, async (request, reply) => {
      let begun: { url: string; cookie: string };
      try {
        begun = await client.begin();
      } catch (err) {
        // The provider's discovery document could not be fetched: say so, write nothing.
        if (!(err instanceof SsoError)) throw err;
        return refuse(err, request, reply, surface.home);
      }
      reply.setCookie(SSO_STATE_COOKIE, begun.cookie, { ...cookieOptions, maxAge: SSO_STATE_TTL_MS / 1000 });
      return reply.redirect(begun.url, 302);
    });

    app.get(`${base}/callback`, { schema: { tags: ['sso'] } }, async (request, reply) => {
      // The pending sign-in is spent whatever happens next.
      reply.clearCookie(SSO_STATE_COOKIE, cookieOptions);
      try {
        const parsed = CallbackQuery.safeParse(request.query);
        if (!parsed.success) throw new SsoError('state_mismatch');
        const identity = await client.finish(parsed.data, request.cookies[SSO_STATE_COOKIE]);
        await surface.signIn(identity, request, reply);
        return reply.redirect(surface.home, 302);
      } catch (err) {
        if (!(err instanceof SsoError)) throw err;
        await surface.refused(err, request);
        return refuse(err, request, reply, surface.home);
      }
    });
  };
}

function refuse(error: SsoError, request: FastifyRequest, reply: FastifyReply, home: string) {
  reply.status(error.status).header('cache-control', 'no-store');
  if ((request.headers.accept ?? '').includes('application/json')) {
    return reply.send({
      error: { code: error.reason, message: error.message, status: error.status, request_id: request.id },
    });
  }
  return reply.type('text/html; charset=utf-8').send(refusalPage(error, home));
}

/**
 * Serves the customer web app (`apps/web/dist`): hashed assets as immutable files, and
 * `index.html` for GET requests that accept HTML on the app's own routes only, so the
 * SPA never shadows the APIs (`/api`, Graph paths, `/link`, `/docs`, `/healthz`, …).
 * Without a build, those routes answer a 503 page that says how to build it. The service
 * worker and the web app manifest (installable app) are served fresh (`no-cache`).
 */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setHtmlSecurityHeaders, WEB_CSP, webCspFor } from './security-headers.js';
import { UNAVAILABLE_CSP, UNAVAILABLE_HTML } from './unavailable-page.js';

/** `apps/web/dist`, from `apps/server/{src,dist}/features/web/`. */
export const WEB_DIST_DIR = fileURLToPath(new URL('../../../../web/dist/', import.meta.url));

/** The service worker (apps/web/public/sw.js), served from the root so its scope is the whole app. */
export const SERVICE_WORKER_PATH = '/sw.js';

/** Client-side routes of the web app; anything else is left to the API's 404. */
export const APP_ROUTES = ['/', '/privacy', '/inbox', '/inbox/*', '/c/*', '/console'] as const;

export interface WebRoutesOptions {
  /** The built app's folder (defaults to `apps/web/dist`). */
  root?: string;
  /** The hub's public URL, whose WebSocket origin the CSP names. */
  publicUrl?: string;
}

export function webRoutes(options: WebRoutesOptions = {}) {
  const root = options.root ?? WEB_DIST_DIR;
  const csp = options.publicUrl === undefined ? WEB_CSP : webCspFor(options.publicUrl);
  return async (app: FastifyInstance): Promise<void> => {
    const indexHtml = await readFile(join(root, 'index.html')).catch(() => undefined);
    if (indexHtml === undefined) {
      app.log.warn({ root }, 'web app is not built: app routes answer 503 until `npm run build` has run');
    } else {
      await app.register(fastifyStatic, {
        root,
        prefix: '/',
        wildcard: false,
        index: false,
        decorateReply: false,
        cacheControl: false,
        schemaHide: true,
        // index.html is only served through the app routes below, with its security headers.
        globIgnore: ['index.html', '**/*.map'],
        setHeaders: (reply) => {
          void reply.header('x-content-type-options', 'nosniff');
          const path = reply.request.url.split('?')[0] ?? '';
          if (path === SERVICE_WORKER_PATH) {
            // The browser checks the worker for updates on every visit; its scope is the whole app.
            void reply.header('cache-control', 'no-cache');
            void reply.header('service-worker-allowed', '/');
            void reply.header('content-type', 'text/javascript; charset=utf-8');
          } else if (path === '/manifest.webmanifest') {
            void reply.header('cache-control', 'no-cache');
            void reply.header('content-type', 'application/manifest+json; charset=utf-8');
          } else {
            void reply.header(
              'cache-control',
              path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
            );
          }
        },
      });
    }

    const serveApp = async (request: FastifyRequest, reply: FastifyReply) => {
      if (!acceptsHtml(request)) return reply.callNotFound();
      void reply.header('cache-control', 'no-cache');
      if (indexHtml === undefined) {
        setHtmlSecurityHeaders(reply, UNAVAILABLE_CSP);
        return reply.status(503).header('retry-after', '60').type('text/html; charset=utf-8').send(UNAVAILABLE_HTML);
      }
      setHtmlSecurityHeaders(reply, csp);
      return reply.type('text/html; charset=utf-8').send(indexHtml);
    };
    for (const url of APP_ROUTES) app.get(url, { schema: { hide: true } }, serveApp);
  };
}

const acceptsHtml = (request: FastifyRequest) => (request.headers.accept ?? '').includes('text/html');

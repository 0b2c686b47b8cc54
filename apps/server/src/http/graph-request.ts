/**
 * The Platform API's Graph request plumbing, and its public entry for features (reference §1
 * traps 3–4, §13.1–2). Routes answer both versionless and under any `/vX.Y` (graph-routing.ts);
 * bodies are decoded as graph.facebook.com does (graph-body.ts, graph-brackets.ts,
 * graph-lenient-json.ts); the token becomes a principal (graph-auth.ts); every path answers
 * POST with the `method=` override (graph-method-override.ts); errors read as Graph's
 * (graph-errors.ts). Unknown parameters are ignored.
 */
import type { FastifyInstance } from 'fastify';
import { installGraphBodyParsers } from './graph-body.js';
import { buildCall, readGraphCall } from './graph-call.js';
import { dispatchPost } from './graph-method-override.js';
import type { GraphTokenVerifier } from './graph-principal.js';
import { createGraphRouter, type RouteTable } from './graph-router.js';
import { joinedPattern, routeShape } from './graph-routing.js';
import type { GraphRouter, GraphRoutes } from './graph-types.js';

export type * from './graph-types.js';
export { authenticate, bearerToken } from './graph-auth.js';
export { readGraphCall } from './graph-call.js';
export { parseParams } from './graph-errors.js';
export { parseLenientJson } from './graph-lenient-json.js';
export { numericParam, PAGE_BASES, VERSION_SEGMENT } from './graph-routing.js';

/**
 * The Platform API as one Fastify plugin: Graph's body parsers and multipart are registered in
 * this scope only, then every feature adds its routes through the router.
 */
export function graphPlugin(pages: GraphTokenVerifier, ...features: GraphRoutes[]) {
  return async (app: FastifyInstance): Promise<void> => {
    await installGraphBodyParsers(app);
    const { router, table } = createGraphRouter((parent, query, fields, match) =>
      buildCall(pages, { query, fields, file: undefined, routeParams: match.path, auth: match.auth, parent }),
    );
    for (const feature of features) feature(router);
    mountRoutes(app, table, pages, router);
  };
}

/** GET and DELETE endpoints one by one; POST once per route shape, dispatched by the Graph router. */
function mountRoutes(app: FastifyInstance, table: RouteTable, pages: GraphTokenVerifier, router: GraphRouter): void {
  const shapes = new Map<string, string[]>();
  for (const [url, methods] of table) {
    for (const [method, entry] of methods) {
      if (method === 'POST') continue;
      app.route({
        method,
        url,
        schema: { hide: true },
        handler: async (request) =>
          entry.handler(await readGraphCall(request, pages, entry.auth), { requestId: request.id, log: request.log }),
      });
    }
    const shape = routeShape(url);
    shapes.set(shape, [...(shapes.get(shape) ?? []), url]);
  }
  for (const urls of shapes.values()) {
    app.route({
      method: 'POST',
      url: joinedPattern(urls),
      schema: { hide: true },
      handler: async (request) => dispatchPost(request, pages, router),
    });
  }
}

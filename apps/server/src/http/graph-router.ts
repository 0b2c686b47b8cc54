/**
 * The Graph router: the endpoints features register, kept in a matcher of our own beside
 * Fastify's, so batch operations and the `method=` override find an endpoint without a fake
 * HTTP request. graph-request.ts mounts the same table on Fastify.
 */
import FindMyWay from 'find-my-way';
import { versionedUrls } from './graph-routing.js';
import type { GraphAuth, GraphHandler, GraphMethod, GraphRouter } from './graph-types.js';

/** One endpoint: its handler and the token it takes. */
export interface RouteEntry {
  handler: GraphHandler;
  auth: GraphAuth;
}

/** Every registered path (versionless and versioned) → its endpoints by method. */
export type RouteTable = Map<string, Map<GraphMethod, RouteEntry>>;

/** A router over an empty table; `subCall` builds in-process calls (it needs the token verifier). */
export function createGraphRouter(subCall: GraphRouter['subCall']): { router: GraphRouter; table: RouteTable } {
  const matcher = FindMyWay({ maxParamLength: 100 });
  const table: RouteTable = new Map();
  const router: GraphRouter = {
    route(method, path, handler, options) {
      const entry: RouteEntry = { handler, auth: options?.auth ?? 'page' };
      for (const url of versionedUrls(path)) {
        const methods = table.get(url) ?? new Map<GraphMethod, RouteEntry>();
        methods.set(method, entry);
        table.set(url, methods);
        matcher.on(method, url, () => undefined, entry);
      }
    },
    match(method, path) {
      const found = matcher.find(method as 'GET', path);
      if (found === null) return undefined;
      const { handler, auth } = found.store as RouteEntry;
      return { handler, auth, path: found.params as Record<string, string> };
    },
    subCall,
  };
  return { router, table };
}

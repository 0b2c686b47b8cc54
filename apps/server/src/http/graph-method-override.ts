/**
 * The `method=` override: every Graph path answers POST, and `method=GET|DELETE|POST` (query
 * or body, any case) picks the endpoint as Graph does, so clients limited to POST reach all
 * of them.
 */
import type { FastifyRequest } from 'fastify';
import { bearerToken } from './graph-auth.js';
import { firstString, flatten, readGraphBody } from './graph-body.js';
import { buildCall } from './graph-call.js';
import { unsupportedOperation } from './graph-errors.js';
import type { GraphTokenVerifier } from './graph-principal.js';
import type { GraphMethod, GraphRouter } from './graph-types.js';

/** Answers a POST on a Graph path: the endpoint the `method` parameter names, else the POST one. */
export async function dispatchPost(
  request: FastifyRequest,
  pages: GraphTokenVerifier,
  router: GraphRouter,
): Promise<unknown> {
  const { fields, file } = await readGraphBody(request);
  const query = flatten(request.query);
  const override = methodOverride(firstString(fields['method']) ?? firstString(query['method']));
  const method = override ?? 'POST';
  const queryAt = request.url.indexOf('?');
  const path = queryAt === -1 ? request.url : request.url.slice(0, queryAt);
  const match = router.match(method, path);
  const source = { query, fields, file, bearer: bearerToken(request), dropMethod: override !== undefined };
  if (match === undefined) {
    // Authenticate first, as for any other call, then refuse the operation.
    const other = router.match('GET', path) ?? router.match('DELETE', path) ?? router.match('POST', path);
    await buildCall(pages, { ...source, routeParams: other?.path ?? {}, auth: other?.auth ?? 'page' });
    throw unsupportedOperation(method);
  }
  const call = await buildCall(pages, { ...source, routeParams: match.path, auth: match.auth });
  return match.handler(call, { requestId: request.id, log: request.log });
}

/** The Graph method a `method` parameter names, if any. */
export function methodOverride(value: string | undefined): GraphMethod | undefined {
  const method = value?.toUpperCase();
  return method === 'GET' || method === 'POST' || method === 'DELETE' ? method : undefined;
}

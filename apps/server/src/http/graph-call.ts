/**
 * Builds a Graph call from its parts: query and body merged (body wins) with bracket names
 * nested and JSON-valued fields parsed, credentials taken out and verified, the version
 * dropped from the path parameters. Unknown parameters are kept and ignored by endpoints.
 */
import type { FastifyRequest } from 'fastify';
import { assertOwnObjects, authenticateCall, bearerToken, CREDENTIAL_PARAMS } from './graph-auth.js';
import { flatten, readGraphBody } from './graph-body.js';
import { nestBrackets } from './graph-brackets.js';
import { parseLenientJson } from './graph-lenient-json.js';
import type { GraphTokenVerifier } from './graph-principal.js';
import type { GraphAuth, GraphCall, UploadedFile } from './graph-types.js';

/** Everything a call is built from, over HTTP or in process. */
export interface CallSource {
  query: Record<string, unknown>;
  fields: Record<string, unknown>;
  file: UploadedFile | undefined;
  routeParams: Record<string, string>;
  auth: GraphAuth;
  /** The `Authorization: Bearer` token of an HTTP request. */
  bearer?: string | undefined;
  /** For an in-process sub-request: the call it belongs to, whose token applies unless it carries its own. */
  parent?: GraphCall;
  /** The `method` parameter chose the endpoint (the POST override) and is not one of its parameters. */
  dropMethod?: boolean;
}

/** Authenticates the source and gives the call an endpoint sees. */
export async function buildCall(pages: GraphTokenVerifier, source: CallSource): Promise<GraphCall> {
  // Malformed names are refused before the token is checked, JSON-valued fields after it.
  const merged = nestBrackets({ ...source.query, ...source.fields });
  const authenticated = authenticateCall(pages, source, source.auth);
  const { principal, token } = authenticated instanceof Promise ? await authenticated : authenticated;
  // Own names only, as `Object.entries` would give them, without an array of pairs per call.
  const params: Record<string, unknown> = {};
  for (const key in merged) {
    if (!Object.hasOwn(merged, key)) continue;
    if (!CREDENTIAL_PARAMS.has(key) && !(source.dropMethod === true && key === 'method'))
      params[key] = parseLenientJson(merged[key]);
  }
  const path: Record<string, string> = {};
  const { routeParams } = source;
  for (const key in routeParams)
    if (Object.hasOwn(routeParams, key) && key !== 'version') path[key] = routeParams[key] as string;
  assertOwnObjects(path, principal);
  return { params, path, file: source.file, principal, token };
}

/** Reads parameters, the file and the token of a Graph request, and authenticates it. */
export async function readGraphCall(
  request: FastifyRequest,
  pages: GraphTokenVerifier,
  auth: GraphAuth = 'page',
): Promise<GraphCall> {
  const { fields, file } = await readGraphBody(request);
  return buildCall(pages, {
    query: flatten(request.query),
    fields,
    file,
    routeParams: (request.params ?? {}) as Record<string, string>,
    bearer: bearerToken(request),
    auth,
  });
}

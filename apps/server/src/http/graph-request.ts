/**
 * Graph request plumbing shared by every Platform API endpoint (reference §1 traps 3–4, §13.1–2):
 * routes answer both versionless and under any `/vX.Y`; parameters come from the query
 * string and a JSON, form-urlencoded (JSON-valued fields, even Meta's single-quoted samples)
 * or multipart body; the page token comes from `access_token` or `Authorization: Bearer`,
 * and `appsecret_proof` is verified whenever it is present. Unknown parameters are ignored.
 */
import multipart from '@fastify/multipart';
import { MAX_ATTACHMENT_BYTES, PlatformError } from '@confide/protocol';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import FindMyWay from 'find-my-way';
import { createHmac } from 'node:crypto';
import { safeEqual } from '../crypto/tokens.js';
import { installGraphBodyParsers, nestBrackets } from './graph-body.js';
import { joinedPattern, routeShape } from './graph-routing.js';
import { parseLenientJson } from './graph-params.js';

export { parseLenientJson, parseParams } from './graph-params.js';
import type { GraphTokenVerifier, TokenPrincipal } from './graph-principal.js';

/** Route segment matching a Graph version such as `v2.6` or `v25.0`. */
export const VERSION_SEGMENT = ':version(^v\\d{1,2}\\.\\d{1,2}$)';
/** A numeric Graph object id (page, PSID, persona, attachment) as a route parameter. */
export const numericParam = (name: string): string => `:${name}(^\\d{1,32}$)`;

/** The two spellings of "this page": `/me` and `/{page-id}` (which must be the token's page). */
export const PAGE_BASES = ['/me', `/${numericParam('pageId')}`] as const;

/** A file sent in the multipart `filedata` part. */
export interface UploadedFile {
  data: Buffer;
  filename: string;
  mimetype: string;
}

/** An authenticated Graph call: merged parameters, the uploaded file and the token's page/app. */
export interface GraphCall {
  /** Query string merged with the body (body wins), JSON-valued fields parsed; no token or proof. */
  params: Record<string, unknown>;
  /** Route parameters other than the version. */
  path: Record<string, string>;
  file: UploadedFile | undefined;
  principal: TokenPrincipal;
  /** The raw token, for in-process sub-requests (batch). */
  token: string;
}

export type GraphMethod = 'GET' | 'POST' | 'DELETE';
/** What a handler knows of the HTTP request besides the call: its id (the envelope's fbtrace_id). */
export interface GraphCallMeta {
  requestId: string;
  log: FastifyBaseLogger;
}
/** A Graph endpoint: an authenticated call in, the JSON answer out (errors are thrown as PlatformError). */
export type GraphHandler = (call: GraphCall, meta: GraphCallMeta) => Promise<unknown>;

/**
 * Which token an endpoint takes: a page access token (almost all), an app access token
 * (`{app-id}|{app-secret}`, app-level endpoints such as `/{app-id}/subscriptions`), or either.
 */
export type GraphAuth = 'page' | 'app' | 'any';

/** A Graph endpoint found for an in-process call, with its path parameters. */
export interface GraphMatch {
  handler: GraphHandler;
  path: Record<string, string>;
  auth: GraphAuth;
}

/** Registers Graph endpoints on the Platform API scope. */
export interface GraphRouter {
  /** Registers `path` and `/{version}{path}`; the handler runs after authentication (a page token unless `auth` says otherwise). */
  route(method: GraphMethod, path: string, handler: GraphHandler, options?: { auth?: GraphAuth }): void;
  /** The endpoint serving `method` and `path` (no query string), for in-process calls such as batch operations. */
  match(method: string, path: string): GraphMatch | undefined;
  /** Builds the call of an in-process sub-request; it uses `parent`'s token unless it carries its own. */
  subCall(
    parent: GraphCall,
    query: Record<string, unknown>,
    fields: Record<string, unknown>,
    match: GraphMatch,
  ): Promise<GraphCall>;
}

/** A feature's Graph endpoints. */
export type GraphRoutes = (router: GraphRouter) => void;

const CREDENTIAL_PARAMS = new Set(['access_token', 'appsecret_proof']);

interface RouteEntry {
  handler: GraphHandler;
  auth: GraphAuth;
}

/**
 * The Platform API as one Fastify plugin: multipart parsing is registered in this scope
 * only, then every feature adds its routes through the router.
 */
export function graphPlugin(pages: GraphTokenVerifier, ...features: GraphRoutes[]) {
  return async (app: FastifyInstance): Promise<void> => {
    installGraphBodyParsers(app);
    await app.register(multipart, {
      limits: { fileSize: MAX_ATTACHMENT_BYTES, files: 2, fields: 100, fieldSize: 1_048_576, parts: 110 },
      throwFileSizeLimit: true,
    });
    // The same routes in a matcher of our own, so batch operations and the `method=`
    // override run without a fake HTTP request.
    const matcher = FindMyWay({ maxParamLength: 100 });
    const table = new Map<string, Map<GraphMethod, RouteEntry>>();
    const router: GraphRouter = {
      route(method, path, handler, options) {
        const versioned = path === '/' ? `/${VERSION_SEGMENT}` : `/${VERSION_SEGMENT}${path}`;
        const urls = path === '/' ? [path, versioned, `${versioned}/`] : [path, versioned];
        const entry: RouteEntry = { handler, auth: options?.auth ?? 'page' };
        for (const url of urls) {
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
      subCall: (parent, query, fields, match) =>
        buildCall(pages, { query, fields, file: undefined, routeParams: match.path, auth: match.auth, parent }),
    };
    for (const feature of features) feature(router);
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
  };
}

/**
 * Every Graph path answers POST: `method=GET|DELETE|POST` (query or body, any case) picks the
 * endpoint as Graph does, so clients limited to POST reach all of them.
 */
async function dispatchPost(request: FastifyRequest, pages: GraphTokenVerifier, router: GraphRouter): Promise<unknown> {
  const { fields, file } = await readBody(request);
  const query = flatten(request.query);
  const override = methodOverride(firstString(fields['method']) ?? firstString(query['method']));
  const method = override ?? 'POST';
  const path = request.url.split('?')[0] ?? '/';
  const match = router.match(method, path);
  const source = { query, fields, file, bearer: bearerToken(request), dropMethod: override !== undefined };
  if (match === undefined) {
    // Authenticate first, as for any other call, then refuse the operation.
    const other = router.match('GET', path) ?? router.match('DELETE', path) ?? router.match('POST', path);
    await buildCall(pages, { ...source, routeParams: other?.path ?? {}, auth: other?.auth ?? 'page' });
    throw new PlatformError('UNKNOWN_OBJECT', {
      message: `Unsupported ${method.toLowerCase()} request. Object does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
    });
  }
  const call = await buildCall(pages, { ...source, routeParams: match.path, auth: match.auth });
  return match.handler(call, { requestId: request.id, log: request.log });
}

/** The Graph method a `method` parameter names, if any. */
function methodOverride(value: string | undefined): GraphMethod | undefined {
  const method = value?.toUpperCase();
  return method === 'GET' || method === 'POST' || method === 'DELETE' ? method : undefined;
}

/** Reads parameters, the file and the token of a Graph request, and authenticates it. */
export async function readGraphCall(
  request: FastifyRequest,
  pages: GraphTokenVerifier,
  auth: GraphAuth = 'page',
): Promise<GraphCall> {
  const { fields, file } = await readBody(request);
  return buildCall(pages, {
    query: flatten(request.query),
    fields,
    file,
    routeParams: (request.params ?? {}) as Record<string, string>,
    bearer: bearerToken(request),
    auth,
  });
}

interface CallSource {
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

async function buildCall(pages: GraphTokenVerifier, source: CallSource): Promise<GraphCall> {
  const { query, fields, file, parent, auth } = source;
  const merged = nestBrackets({ ...query, ...fields });
  const token =
    firstString(query['access_token']) ?? firstString(fields['access_token']) ?? source.bearer ?? parent?.token;
  const proof = firstString(query['appsecret_proof']) ?? firstString(fields['appsecret_proof']);
  const reuse = parent !== undefined && token === parent.token && proof === undefined && auth !== 'app';
  const principal = reuse ? parent.principal : await authenticate(pages, token, proof, auth);
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(merged)) {
    if (!CREDENTIAL_PARAMS.has(key) && !(source.dropMethod === true && key === 'method'))
      params[key] = parseLenientJson(value);
  }
  const path: Record<string, string> = {};
  for (const [key, value] of Object.entries(source.routeParams)) if (key !== 'version') path[key] = value;
  // Another page's (or app's) id answers exactly like an id that does not exist.
  if (path['pageId'] !== undefined && path['pageId'] !== principal.pageId) throw new PlatformError('UNKNOWN_OBJECT');
  if (path['appId'] !== undefined && path['appId'] !== principal.appId) throw new PlatformError('UNKNOWN_OBJECT');
  return { params, path, file, principal, token: token as string };
}

/**
 * Verifies the token (a page token, an app token `{app-id}|{app-secret}`, or either, as the
 * endpoint takes) and, when sent, its `appsecret_proof` (hex HMAC-SHA256 of the token keyed
 * by the app secret).
 */
export async function authenticate(
  pages: GraphTokenVerifier,
  token: string | undefined,
  proof: string | undefined,
  auth: GraphAuth = 'page',
): Promise<TokenPrincipal> {
  const asApp = auth === 'app' || (auth === 'any' && token?.includes('|') === true);
  const principal = asApp ? await pages.verifyAppToken(token) : await pages.verifyToken(token);
  if (proof !== undefined) {
    const expected = createHmac('sha256', await pages.appSecret(principal.appId))
      .update(token as string)
      .digest('hex');
    if (!safeEqual(proof.toLowerCase(), expected)) {
      throw new PlatformError('INVALID_ACCESS_TOKEN', {
        message: 'Invalid appsecret_proof provided in the API argument',
      });
    }
  }
  return principal;
}

async function readBody(
  request: FastifyRequest,
): Promise<{ fields: Record<string, unknown>; file: UploadedFile | undefined }> {
  if (!request.isMultipart()) {
    const body = request.body;
    if (body === undefined || body === null) return { fields: {}, file: undefined };
    if (typeof body !== 'object' || Array.isArray(body))
      throw new PlatformError('INVALID_PARAMETER', { message: 'The request body must be an object' });
    return { fields: flatten(body), file: undefined };
  }
  const fields: Record<string, unknown> = {};
  let file: UploadedFile | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const data = await part.toBuffer();
        if (part.fieldname === 'filedata' && file === undefined)
          file = { data, filename: part.filename, mimetype: part.mimetype };
        continue;
      }
      if (typeof part.value === 'string') fields[part.fieldname] = part.value;
    }
  } catch (err) {
    // The multipart parser reports a truncated or malformed body as a plain Error (no code):
    // the client's mistake, not a transient 500 it should retry.
    const { code, statusCode } = err as { code?: unknown; statusCode?: unknown };
    if (code === undefined && statusCode === undefined)
      throw new PlatformError('INVALID_PARAMETER', { message: 'Malformed multipart body', cause: err });
    throw err;
  }
  return { fields, file };
}

/** Query and form values may repeat; Graph takes the first. */
function flatten(source: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (source === null || typeof source !== 'object') return out;
  for (const [key, value] of Object.entries(source as Record<string, unknown>)) out[key] = value;
  return out;
}

function firstString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

/** The token of an `Authorization: Bearer` (or `OAuth`) header. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(header);
  return match?.[1];
}

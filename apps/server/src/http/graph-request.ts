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
import type { ZodType } from 'zod';
import { safeEqual } from '../crypto/tokens.js';
import { installGraphBodyParsers, nestBrackets } from './graph-body.js';
import { assertCleanParsedInput } from './input-guard.js';
import type { Pages, TokenPrincipal } from '../features/pages/pages.js';

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

/** A Graph endpoint found for an in-process call, with its path parameters. */
export interface GraphMatch {
  handler: GraphHandler;
  path: Record<string, string>;
}

/** Registers Graph endpoints on the Platform API scope. */
export interface GraphRouter {
  /** Registers `path` and `/{version}{path}`; the handler runs after authentication. */
  route(method: GraphMethod, path: string, handler: GraphHandler): void;
  /** The endpoint serving `method` and `path` (no query string), for in-process calls such as batch operations. */
  match(method: string, path: string): GraphMatch | undefined;
  /** Builds the call of an in-process sub-request; it uses `parent`'s token unless it carries its own. */
  subCall(parent: GraphCall, query: Record<string, unknown>, fields: Record<string, unknown>, match: GraphMatch): Promise<GraphCall>;
}

/** A feature's Graph endpoints. */
export type GraphRoutes = (router: GraphRouter) => void;

const CREDENTIAL_PARAMS = new Set(['access_token', 'appsecret_proof']);

/**
 * The Platform API as one Fastify plugin: multipart parsing is registered in this scope
 * only, then every feature adds its routes through the router.
 */
export function graphPlugin(pages: Pages, ...features: GraphRoutes[]) {
  return async (app: FastifyInstance): Promise<void> => {
    installGraphBodyParsers(app);
    await app.register(multipart, {
      limits: { fileSize: MAX_ATTACHMENT_BYTES, files: 2, fields: 100, fieldSize: 1_048_576, parts: 110 },
      throwFileSizeLimit: true,
    });
    // The same routes in a matcher of our own, so batch operations run without a fake HTTP request.
    const matcher = FindMyWay({ maxParamLength: 100 });
    const table = new Map<string, Map<GraphMethod, GraphHandler>>();
    const router: GraphRouter = {
      route(method, path, handler) {
        const versioned = path === '/' ? `/${VERSION_SEGMENT}` : `/${VERSION_SEGMENT}${path}`;
        const urls = path === '/' ? [path, versioned, `${versioned}/`] : [path, versioned];
        for (const url of urls) {
          const methods = table.get(url) ?? new Map<GraphMethod, GraphHandler>();
          methods.set(method, handler);
          table.set(url, methods);
          matcher.on(method, url, () => undefined, { handler });
        }
      },
      match(method, path) {
        const found = matcher.find(method as 'GET', path);
        if (found === null) return undefined;
        const { handler } = found.store as { handler: GraphHandler };
        return { handler, path: found.params as Record<string, string> };
      },
      subCall: (parent, query, fields, match) => buildCall(pages, { query, fields, file: undefined, routeParams: match.path, parent }),
    };
    for (const feature of features) feature(router);
    for (const [url, methods] of table) registerUrl(app, pages, url, methods);
  };
}

/**
 * GET and DELETE as registered; POST on every path, where `method=GET|DELETE|POST` (query
 * or body, any case) picks the handler as Graph does, so clients limited to POST reach all.
 */
function registerUrl(app: FastifyInstance, pages: Pages, url: string, methods: Map<GraphMethod, GraphHandler>): void {
  for (const [method, handler] of methods) {
    if (method === 'POST') continue;
    app.route({ method, url, schema: { hide: true }, handler: async (request) => handler(await readGraphCall(request, pages), { requestId: request.id, log: request.log }) });
  }
  // TODO(wire-a): a POST route on GET/DELETE-only paths collides with the version route in Fastify; for now the override applies where POST exists.
  if (!methods.has('POST')) return;
  app.route({
    method: 'POST',
    url,
    schema: { hide: true },
    handler: async (request) => {
      const call = await readGraphCall(request, pages);
      const override = methodOverride(call.params);
      const handler = methods.get(override ?? 'POST');
      if (handler === undefined) {
        throw new PlatformError('UNKNOWN_OBJECT', { message: `Unsupported ${(override ?? 'POST').toLowerCase()} request. Object does not exist, cannot be loaded due to missing permissions, or does not support this operation.` });
      }
      return handler(call, { requestId: request.id, log: request.log });
    },
  });
}

/** Takes `method` out of the parameters when it names a Graph method. */
function methodOverride(params: Record<string, unknown>): GraphMethod | undefined {
  const value = params['method'];
  if (typeof value !== 'string') return undefined;
  const method = value.toUpperCase();
  if (method !== 'GET' && method !== 'POST' && method !== 'DELETE') return undefined;
  delete params['method'];
  return method;
}

/** Reads parameters, the file and the token of a Graph request, and authenticates it. */
export async function readGraphCall(request: FastifyRequest, pages: Pages): Promise<GraphCall> {
  const { fields, file } = await readBody(request);
  return buildCall(pages, {
    query: flatten(request.query),
    fields,
    file,
    routeParams: (request.params ?? {}) as Record<string, string>,
    bearer: bearerToken(request),
  });
}

interface CallSource {
  query: Record<string, unknown>;
  fields: Record<string, unknown>;
  file: UploadedFile | undefined;
  routeParams: Record<string, string>;
  /** The `Authorization: Bearer` token of an HTTP request. */
  bearer?: string | undefined;
  /** For an in-process sub-request: the call it belongs to, whose token applies unless it carries its own. */
  parent?: GraphCall;
}

async function buildCall(pages: Pages, source: CallSource): Promise<GraphCall> {
  const { query, fields, file, parent } = source;
  const merged = nestBrackets({ ...query, ...fields });
  const token = firstString(query['access_token']) ?? firstString(fields['access_token']) ?? source.bearer ?? parent?.token;
  const proof = firstString(query['appsecret_proof']) ?? firstString(fields['appsecret_proof']);
  const principal = parent !== undefined && token === parent.token && proof === undefined ? parent.principal : await authenticate(pages, token, proof);
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(merged)) {
    if (!CREDENTIAL_PARAMS.has(key)) params[key] = parseLenientJson(value);
  }
  const path: Record<string, string> = {};
  for (const [key, value] of Object.entries(source.routeParams)) if (key !== 'version') path[key] = value;
  // Another page's id answers exactly like an id that does not exist.
  if (path['pageId'] !== undefined && path['pageId'] !== principal.pageId) throw new PlatformError('UNKNOWN_OBJECT');
  return { params, path, file, principal, token: token as string };
}

/** Verifies the token and, when sent, its `appsecret_proof` (hex HMAC-SHA256 of the token keyed by the app secret). */
export async function authenticate(pages: Pages, token: string | undefined, proof: string | undefined): Promise<TokenPrincipal> {
  const principal = await pages.verifyToken(token);
  if (proof !== undefined) {
    const expected = createHmac('sha256', await pages.appSecret(principal.appId))
      .update(token as string)
      .digest('hex');
    if (!safeEqual(proof.toLowerCase(), expected)) {
      throw new PlatformError('INVALID_ACCESS_TOKEN', { message: 'Invalid appsecret_proof provided in the API argument' });
    }
  }
  return principal;
}

async function readBody(request: FastifyRequest): Promise<{ fields: Record<string, unknown>; file: UploadedFile | undefined }> {
  if (!request.isMultipart()) {
    const body = request.body;
    if (body === undefined || body === null) return { fields: {}, file: undefined };
    if (typeof body !== 'object' || Array.isArray(body)) throw new PlatformError('INVALID_PARAMETER', { message: 'The request body must be an object' });
    return { fields: flatten(body), file: undefined };
  }
  const fields: Record<string, unknown> = {};
  let file: UploadedFile | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const data = await part.toBuffer();
        if (part.fieldname === 'filedata' && file === undefined) file = { data, filename: part.filename, mimetype: part.mimetype };
        continue;
      }
      if (typeof part.value === 'string') fields[part.fieldname] = part.value;
    }
  } catch (err) {
    // The multipart parser reports a truncated or malformed body as a plain Error (no code):
    // the client's mistake, not a transient 500 it should retry.
    const { code, statusCode } = err as { code?: unknown; statusCode?: unknown };
    if (code === undefined && statusCode === undefined) throw new PlatformError('INVALID_PARAMETER', { message: 'Malformed multipart body', cause: err });
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

/**
 * A string field that looks like a JSON object or array is parsed: strictly first, then
 * with single-quoted strings turned into double-quoted ones (Meta's curl samples). Other
 * values are returned unchanged, so validation reports them precisely.
 */
export function parseLenientJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (!(text.startsWith('{') && text.endsWith('}')) && !(text.startsWith('[') && text.endsWith(']'))) return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    try {
      parsed = JSON.parse(singleToDoubleQuotes(text));
    } catch {
      throw new PlatformError('INVALID_PARAMETER', { message: 'A parameter is not valid JSON' });
    }
  }
  // Escapes inside the field (`\u0000`, `\ud800`, deep nesting) only appear now: the same rules as for a JSON body.
  assertCleanParsedInput(parsed, 'A parameter');
  return parsed;
}

/** Rewrites 'single-quoted' JSON strings as "double-quoted" ones, leaving double-quoted strings alone. */
function singleToDoubleQuotes(text: string): string {
  let out = '';
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote === null) {
      if (ch === '"' || ch === "'") {
        quote = ch;
        out += '"';
      } else out += ch;
      continue;
    }
    if (ch === '\\' && i + 1 < text.length) {
      const next = text[i + 1] as string;
      out += quote === "'" && next === "'" ? "'" : ch + next;
      i += 1;
      continue;
    }
    if (ch === quote) {
      quote = null;
      out += '"';
    } else if (ch === '"') out += '\\"';
    else out += ch;
  }
  return out;
}

/**
 * Validates Graph parameters with a zod schema; a failure answers code 100 naming the
 * parameter the way Graph does (`param message[text] …`).
 */
export function parseParams<T>(schema: ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = deepestIssue(result.error.issues as unknown as ZodIssueLike[]);
  const path = issue?.path ?? [];
  const param =
    path.length === 0
      ? ''
      : `param ${String(path[0])}${path
          .slice(1)
          .map((p) => `[${String(p)}]`)
          .join('')} `;
  const reason = issue === undefined ? 'is invalid' : describeIssue(issue);
  throw new PlatformError('INVALID_PARAMETER', { message: `${param}${reason}`.trim(), detail: { param: path.join('.') } });
}

interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  errors?: ZodIssueLike[][];
  input?: unknown;
  discriminator?: string;
}

/** For unions, the branch issue that got furthest explains the failure best. */
function deepestIssue(issues: ZodIssueLike[], prefix: PropertyKey[] = []): ZodIssueLike | undefined {
  let best: ZodIssueLike | undefined;
  for (const issue of issues) {
    let candidate: ZodIssueLike = { ...issue, path: [...prefix, ...issue.path] };
    if (issue.code === 'invalid_union' && issue.errors !== undefined && issue.errors.length > 0) {
      const nested = issue.errors.map((branch) => deepestIssue(branch, candidate.path)).filter((x): x is ZodIssueLike => x !== undefined);
      const deepest = nested.sort((a, b) => b.path.length - a.path.length)[0];
      if (deepest !== undefined) candidate = deepest;
    }
    if (best === undefined || candidate.path.length > best.path.length) best = candidate;
  }
  return best;
}

function describeIssue(issue: ZodIssueLike): string {
  if (issue.code === 'invalid_union' && issue.discriminator !== undefined) return `has an unsupported ${issue.discriminator}`;
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return 'is required';
  if (issue.message === 'Invalid input') return 'is invalid';
  return issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
}

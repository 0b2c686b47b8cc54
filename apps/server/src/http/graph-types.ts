/**
 * The shapes the Graph request plumbing hands to features: the authenticated call, its
 * uploaded file, handlers and the router they register on (implemented in graph-router.ts,
 * mounted on Fastify by graph-request.ts).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { TokenPrincipal } from './graph-principal.js';

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

/**
 * @module transport/link
 * Links are the transport's middleware (tRPC-style): each gets the request and a `next`
 * that runs the rest of the chain, ending in the HTTP call. Retry, logging and test
 * doubles are links rather than flags on the client.
 */

/** HTTP methods the Platform API uses. */
export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** Query values; `undefined` entries are dropped. */
export type QueryParams = Record<string, string | number | boolean | undefined>;

/** One Platform API call, before the version prefix and credentials are added. */
export interface PlatformRequest {
  method: HttpMethod;
  /** Path below the version, starting with `/`, e.g. `/me/messages`. */
  path: string;
  query?: QueryParams | undefined;
  /** A JSON-serialisable body, or `FormData` for multipart uploads. */
  body?: unknown;
  signal?: AbortSignal | undefined;
}

/** A successful response: the parsed JSON body. Failures are thrown as `PlatformApiError`. */
export interface PlatformResponse<T = unknown> {
  status: number;
  headers: Headers;
  data: T;
}

/** Runs the remainder of the chain. */
export type LinkNext = (request: PlatformRequest) => Promise<PlatformResponse>;

/**
 * A transport middleware. Call `next(request)` (possibly several times, or with a changed
 * request) or answer without it.
 * @example
 * const tagLink: Link = (req, next) => next({ ...req, query: { ...req.query, source: 'batch' } });
 */
export type Link = (request: PlatformRequest, next: LinkNext) => Promise<PlatformResponse>;

/** Chains links in order around a terminal handler: the first link runs outermost. */
export function composeLinks(links: readonly Link[], terminal: LinkNext): LinkNext {
  return links.reduceRight<LinkNext>((next, link) => (request) => link(request, next), terminal);
}

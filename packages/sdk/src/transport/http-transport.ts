/**
 * @module transport/http-transport
 * The one place that talks HTTP to the Platform API: builds the versioned URL, adds
 * `access_token` and `appsecret_proof`, encodes JSON or multipart bodies, and turns
 * error responses into `PlatformApiError`.
 */
import { hmacHex } from '@confide/protocol';
import { PlatformApiError, PlatformNetworkError } from '../errors.js';
import {
  composeLinks,
  type Link,
  type LinkNext,
  type PlatformRequest,
  type PlatformResponse,
  type QueryParams,
} from './link.js';

/** The Graph version used when none is given. */
export const DEFAULT_API_VERSION = 'v25.0';

/** Options of {@link HttpTransport}. */
export interface HttpTransportOptions {
  /** Origin (and optional path prefix) of the hub, e.g. `https://hub.example.com`. */
  baseUrl: string;
  /** The page access token. */
  accessToken: string;
  /** The app secret; when set every call carries `appsecret_proof`. */
  appSecret?: string | undefined;
  /** Graph version path segment; `''` for unversioned paths. Default `v25.0`. */
  version?: string | undefined;
  /** A `fetch` implementation; defaults to the global one. */
  fetch?: typeof fetch | undefined;
  /** Middleware, outermost first (e.g. `[loggerLink(), retryLink()]`). */
  links?: readonly Link[] | undefined;
}

/**
 * `appsecret_proof` for a token: hex HMAC-SHA256 keyed by the app secret over the token.
 * @example
 * await computeAppSecretProof('page-token', 'app-secret'); // '…64 hex digits…'
 */
export function computeAppSecretProof(accessToken: string, appSecret: string): Promise<string> {
  return hmacHex('sha256', appSecret, accessToken);
}

/** Shared HTTP client of every resource client. */
export class HttpTransport {
  readonly #options: Readonly<HttpTransportOptions>;
  readonly #chain: LinkNext;
  #proof: Promise<string> | undefined;

  constructor(options: HttpTransportOptions) {
    if (!options.accessToken) throw new TypeError('accessToken is required');
    this.#options = Object.freeze({ ...options });
    this.#chain = composeLinks(options.links ?? [], (request) => this.#send(request));
  }

  /**
   * Sends a request through the link chain.
   * @throws {PlatformApiError} for an error envelope or a non-2xx status.
   * @throws {PlatformNetworkError} when the hub cannot be reached.
   */
  async request<T>(request: PlatformRequest): Promise<PlatformResponse<T>> {
    return (await this.#chain(request)) as PlatformResponse<T>;
  }

  /** `GET path?query`, resolving to the JSON body. */
  async get<T>(path: string, query?: QueryParams): Promise<T> {
    return (await this.request<T>({ method: 'GET', path, query })).data;
  }

  /** `POST path` with a JSON or `FormData` body, resolving to the JSON body. */
  async post<T>(path: string, body?: unknown, query?: QueryParams): Promise<T> {
    return (await this.request<T>({ method: 'POST', path, body, query })).data;
  }

  /** `DELETE path` with an optional JSON body, resolving to the JSON body. */
  async delete<T>(path: string, body?: unknown, query?: QueryParams): Promise<T> {
    return (await this.request<T>({ method: 'DELETE', path, body, query })).data;
  }

  async #url(request: PlatformRequest): Promise<string> {
    const { baseUrl, version = DEFAULT_API_VERSION, accessToken, appSecret } = this.#options;
    const prefix = version ? `/${version}` : '';
    const url = new URL(`${baseUrl.replace(/\/+$/, '')}${prefix}${request.path}`);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    url.searchParams.set('access_token', accessToken);
    if (appSecret) {
      this.#proof ??= computeAppSecretProof(accessToken, appSecret);
      url.searchParams.set('appsecret_proof', await this.#proof);
    }
    return url.toString();
  }

  async #send(request: PlatformRequest): Promise<PlatformResponse> {
    const fetchImpl = this.#options.fetch ?? globalThis.fetch;
    const init: RequestInit = { method: request.method, headers: { accept: 'application/json' } };
    if (request.signal) init.signal = request.signal;
    if (request.body instanceof FormData) {
      init.body = request.body;
    } else if (request.body !== undefined) {
      init.body = JSON.stringify(request.body);
      init.headers = { ...init.headers, 'content-type': 'application/json' };
    }

    let response: Response;
    try {
      response = await fetchImpl(await this.#url(request), init);
    } catch (err) {
      if (err instanceof Error && err.name === 'AbortError') throw err;
      throw new PlatformNetworkError(err);
    }
    const data = await readBody(response);
    const hasError = typeof data === 'object' && data !== null && 'error' in data;
    if (!response.ok || hasError) throw PlatformApiError.fromResponse(response.status, data, response.headers);
    return { status: response.status, headers: response.headers, data };
  }
}

const readBody = async (response: Response): Promise<unknown> => {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

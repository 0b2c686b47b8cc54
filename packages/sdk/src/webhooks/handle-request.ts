/**
 * @module webhooks/handle-request
 * The framework-free core of every webhook adapter: one request in, one response out.
 * GET → handshake; POST → verify signature → parse → dispatch → 200.
 */
import type { HeaderSource, RawBody } from '@confide/protocol';
import { isPlatformApiError } from '../errors.js';
import type { Bot } from './bot.js';
import { handleVerification, verifyWebhook, type QuerySource } from './verify-webhook.js';

/** Options shared by the webhook adapters. */
export interface WebhookHandlerOptions {
  /** The app secret the hub signs with. */
  appSecret: string;
  /** The verify token configured for the GET handshake. */
  verifyToken: string;
  /** Largest body accepted, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Called with errors thrown by handlers (the response is then 500). Default `console.error`. */
  onError?: (error: unknown) => void;
}

/** A webhook request, reduced to what the core needs. */
export interface WebhookRequest {
  method: string;
  query: QuerySource;
  headers: HeaderSource;
  /** The raw body of a POST, exactly as received. */
  rawBody?: RawBody | undefined;
}

/** The response to write back. */
export interface WebhookResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Default body limit of the adapters: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

const text = (status: number, body: string, headers: Record<string, string> = {}): WebhookResponse => ({
  status,
  headers: { 'content-type': 'text/plain; charset=utf-8', ...headers },
  body,
});

const byteLength = (body: RawBody): number =>
  typeof body === 'string' ? new TextEncoder().encode(body).byteLength : body.byteLength;

/**
 * Handles one webhook request for a bot.
 * @returns the response. Handler failures become 500 and go to `onError`; it throws only
 * for misconfiguration (an empty `verifyToken`).
 */
export async function handleWebhookRequest(
  bot: Bot,
  options: WebhookHandlerOptions,
  request: WebhookRequest,
): Promise<WebhookResponse> {
  const method = request.method.toUpperCase();
  if (method === 'GET') {
    try {
      return text(200, handleVerification(request.query, options.verifyToken));
    } catch (error) {
      if (isPlatformApiError(error)) return text(error.httpStatus, 'Forbidden');
      throw error;
    }
  }
  if (method !== 'POST') return text(405, 'Method Not Allowed', { allow: 'GET, POST' });

  const rawBody = request.rawBody ?? '';
  if (byteLength(rawBody) > (options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)) return text(413, 'Payload Too Large');
  try {
    await verifyWebhook(rawBody, request.headers, options.appSecret);
  } catch (error) {
    if (isPlatformApiError(error)) return text(error.httpStatus, error.message);
    throw error;
  }

  let body: unknown;
  try {
    body = JSON.parse(typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody));
  } catch {
    return text(400, 'Body is not JSON');
  }
  try {
    await bot.dispatch(body);
    return text(200, 'EVENT_RECEIVED');
  } catch (error) {
    if (isPlatformApiError(error) && error.httpStatus === 400) return text(400, error.message);
    (options.onError ?? console.error)(error);
    return text(500, 'Internal Server Error');
  }
}

/**
 * @module webhooks/fetch-adapter
 * Webhook handler for Fetch-API runtimes (Hono, Deno, Bun, workers, Next.js route handlers).
 */
import type { Bot } from './bot.js';
import { handleWebhookRequest, type WebhookHandlerOptions } from './handle-request.js';

/**
 * A `(Request) => Promise<Response>` webhook handler.
 * @example
 * export const POST = fetchWebhookHandler(bot, { appSecret, verifyToken });
 * export const GET = POST;
 */
export function fetchWebhookHandler(bot: Bot, options: WebhookHandlerOptions): (request: Request) => Promise<Response> {
  return async (request) => {
    const rawBody = request.method.toUpperCase() === 'POST' ? new Uint8Array(await request.arrayBuffer()) : undefined;
    const response = await handleWebhookRequest(bot, options, {
      method: request.method,
      query: new URL(request.url).searchParams,
      headers: request.headers,
      rawBody,
    });
    return new Response(response.body, { status: response.status, headers: response.headers });
  };
}

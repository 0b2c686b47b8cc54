/**
 * @module webhooks/fastify-adapter
 * A Fastify plugin serving the webhook (typed structurally; no Fastify import).
 */
import type { HeaderSource } from '@confide/protocol';
import type { Bot } from './bot.js';
import { DEFAULT_MAX_BODY_BYTES, handleWebhookRequest, type WebhookHandlerOptions } from './handle-request.js';
import type { QuerySource } from './verify-webhook.js';

/** The subset of a Fastify request the plugin reads. */
export interface FastifyRequestLike {
  method: string;
  query: unknown;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** The subset of a Fastify reply the plugin writes. */
export interface FastifyReplyLike {
  code(status: number): FastifyReplyLike;
  header(name: string, value: string): FastifyReplyLike;
  send(payload?: string): FastifyReplyLike;
}

type RouteHandler = (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>;

/** The subset of a Fastify instance the plugin uses. */
export interface FastifyInstanceLike {
  addContentTypeParser(
    type: string,
    options: { parseAs: 'buffer'; bodyLimit?: number },
    parser: (request: unknown, body: Uint8Array | string, done: (error: Error | null, body?: unknown) => void) => void,
  ): unknown;
  removeContentTypeParser?(type: string | string[]): unknown;
  get(path: string, handler: RouteHandler): unknown;
  post(path: string, handler: RouteHandler): unknown;
}

/** Options of {@link fastifyWebhook}. */
export interface FastifyWebhookOptions extends WebhookHandlerOptions {
  /** Route path inside the plugin's prefix. Default `/`. */
  path?: string;
}

/**
 * A Fastify plugin with GET and POST routes for the webhook. In its own encapsulated
 * scope it replaces the JSON parser with a raw-bytes one, so the signature can be checked.
 * @example
 * await app.register(fastifyWebhook(bot, { appSecret, verifyToken }), { prefix: '/webhook' });
 */
export function fastifyWebhook(
  bot: Bot,
  options: FastifyWebhookOptions,
): (instance: FastifyInstanceLike) => Promise<void> {
  const path = options.path ?? '/';
  return async (instance) => {
    instance.removeContentTypeParser?.('application/json');
    instance.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer', bodyLimit: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES },
      (_request, body, done) => done(null, body),
    );
    const handler: RouteHandler = async (request, reply) => {
      const rawBody = request.body instanceof Uint8Array || typeof request.body === 'string' ? request.body : undefined;
      const response = await handleWebhookRequest(bot, options, {
        method: request.method,
        query: (request.query ?? {}) as QuerySource,
        headers: request.headers as HeaderSource,
        rawBody,
      });
      let out = reply.code(response.status);
      for (const [name, value] of Object.entries(response.headers)) out = out.header(name, value);
      return out.send(response.body);
    };
    instance.get(path, handler);
    instance.post(path, handler);
  };
}

/**
 * @module webhooks/node-adapter
 * Webhook handler for Node's plain `http` server. The request and response are described
 * structurally, so the SDK needs no Node types.
 */
import type { Bot } from './bot.js';
import {
  DEFAULT_MAX_BODY_BYTES,
  handleWebhookRequest,
  type WebhookHandlerOptions,
  type WebhookResponse,
} from './handle-request.js';

/** The subset of `http.IncomingMessage` the handler reads. */
export interface NodeRequestLike extends AsyncIterable<Uint8Array | string> {
  method?: string | undefined;
  url?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

/** The subset of `http.ServerResponse` the handler writes. */
export interface NodeResponseLike {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

/** Thrown internally when a body exceeds the limit while streaming. */
class BodyTooLarge extends Error {}

/** Reads a request stream into bytes, stopping once it exceeds `limit`. */
export async function readRequestBody(request: AsyncIterable<Uint8Array | string>, limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of request) {
    const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
    total += bytes.byteLength;
    if (total > limit) throw new BodyTooLarge();
    chunks.push(bytes);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** Writes a core response to a Node response. */
export function writeNodeResponse(res: NodeResponseLike, response: WebhookResponse): void {
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  res.end(response.body);
}

/** Reads the body (POST only) and runs the core handler. */
export async function runNodeRequest(
  bot: Bot,
  options: WebhookHandlerOptions,
  req: NodeRequestLike,
  rawBody?: Uint8Array | string,
): Promise<WebhookResponse> {
  const method = req.method ?? 'GET';
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  let body = rawBody;
  if (body === undefined && method.toUpperCase() === 'POST') {
    try {
      body = await readRequestBody(req, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    } catch (error) {
      if (error instanceof BodyTooLarge)
        return { status: 413, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Payload Too Large' };
      throw error;
    }
  }
  return handleWebhookRequest(bot, options, { method, query, headers: req.headers, rawBody: body });
}

/**
 * Creates an `http.createServer` request listener serving the webhook on every path:
 * GET answers the handshake, POST verifies, dispatches to the bot and answers 200.
 * @example
 * import { createServer } from 'node:http';
 * createServer(createNodeHandler(bot, { appSecret, verifyToken })).listen(3000);
 */
export function createNodeHandler(
  bot: Bot,
  options: WebhookHandlerOptions,
): (req: NodeRequestLike, res: NodeResponseLike) => Promise<void> {
  return async (req, res) => {
    try {
      writeNodeResponse(res, await runNodeRequest(bot, options, req));
    } catch (error) {
      (options.onError ?? console.error)(error);
      writeNodeResponse(res, { status: 500, headers: {}, body: 'Internal Server Error' });
    }
  };
}

/**
 * `/mcp`: the MCP endpoint (Streamable HTTP, stateless: every POST carries its bearer
 * token and gets a JSON answer; GET/DELETE answer 405 as there are no sessions). A missing,
 * expired, foreign or revoked token answers 401 with `WWW-Authenticate: Bearer …
 * resource_metadata=…` (RFC 9728 §5.1). Plus the privacy center's assistant routes.
 */
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { HubContext } from '../../context.js';
import { customerOf } from '../../http/customer-auth.js';
import { resourceMetadataUrl } from '../oauth/routes.js';
import { InvalidTokenError, verifyAccessToken, type AssistantPrincipal } from '../oauth/tokens.js';
import type { Assistants } from './assistants.js';
import { buildMcpServer } from './mcp-server.js';
import type { AssistantRelay } from './relay.js';

type Auth = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
const VERSION = '0.1.0';
const HOP_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'host']);

const GrantIdParams = z.object({ grantId: z.string().min(1).max(64) });
const ChangeBody = z
  .object({
    page_ids: z.array(z.string().max(64)).min(1).max(64),
    categories: z.array(z.string().max(32)).min(1).max(16),
    act: z.boolean(),
  })
  .strict();

export function assistantRoutes(ctx: HubContext, relay: AssistantRelay, assistants: Assistants, auth: Auth) {
  const challenge = (error?: { code: string; description: string }) => {
    const parts = [`resource_metadata="${resourceMetadataUrl(ctx.config.publicUrl)}"`];
    if (error !== undefined)
      parts.unshift(`error="${error.code}"`, `error_description="${error.description.replaceAll('"', "'")}"`);
    return `Bearer ${parts.join(', ')}`;
  };
  const unauthorized = (reply: FastifyReply, error?: { code: string; description: string }) =>
    reply
      .status(401)
      .header('www-authenticate', challenge(error))
      .header('cache-control', 'no-store')
      .send({
        jsonrpc: '2.0',
        error: { code: -32001, message: error?.description ?? 'Authorization required.' },
        id: null,
      });

  async function principalOf(request: FastifyRequest, reply: FastifyReply): Promise<AssistantPrincipal | undefined> {
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header);
    if (match === null) {
      void unauthorized(
        reply,
        header === undefined
          ? undefined
          : { code: 'invalid_request', description: 'Use one Bearer token in the Authorization header.' },
      );
      return undefined;
    }
    try {
      return await verifyAccessToken(ctx, match[1] ?? '');
    } catch (err) {
      if (!(err instanceof InvalidTokenError)) throw err;
      void unauthorized(reply, { code: 'invalid_token', description: err.message });
      return undefined;
    }
  }

  return async (app: FastifyInstance): Promise<void> => {
    app.post('/mcp', { schema: { hide: true } }, async (request, reply) => {
      const principal = await principalOf(request, reply);
      if (principal === undefined) return reply;
      const server = buildMcpServer(relay, principal, VERSION);
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      try {
        await server.connect(transport);
        const headers = new Headers();
        // The body is handed over parsed: length and framing headers of the original bytes do not apply.
        for (const [k, v] of Object.entries(request.headers))
          if (typeof v === 'string' && !HOP_HEADERS.has(k)) headers.set(k, v);
        const webRequest = new Request(`${ctx.config.publicUrl}/mcp`, {
          method: 'POST',
          headers,
          body: JSON.stringify(request.body ?? null),
        });
        const res = await transport.handleRequest(webRequest, { parsedBody: request.body });
        void reply.status(res.status);
        res.headers.forEach((value, key) => void reply.header(key, value));
        return reply.send(res.body === null ? undefined : Buffer.from(await res.arrayBuffer()));
      } finally {
        await server.close();
      }
    });
    const notAllowed = async (request: FastifyRequest, reply: FastifyReply) => {
      const principal = await principalOf(request, reply);
      if (principal === undefined) return reply;
      return reply
        .status(405)
        .header('allow', 'POST')
        .send({
          jsonrpc: '2.0',
          error: { code: -32000, message: 'Method not allowed: this MCP server is stateless.' },
          id: null,
        });
    };
    app.get('/mcp', { schema: { hide: true } }, notAllowed);
    app.delete('/mcp', { schema: { hide: true } }, notAllowed);

    await app.register(async (scope) => {
      const r = scope.withTypeProvider<ZodTypeProvider>();
      r.addHook('preHandler', auth);
      r.get('/api/privacy/assistants', { schema: { tags: ['privacy'] } }, async (request) => ({
        data: await assistants.list(customerOf(request).id),
      }));
      r.put(
        '/api/privacy/assistants/:grantId',
        { schema: { tags: ['privacy'], params: GrantIdParams, body: ChangeBody } },
        async (request) => assistants.change(customerOf(request).id, request.params.grantId, request.body),
      );
      r.delete(
        '/api/privacy/assistants/:grantId',
        { schema: { tags: ['privacy'], params: GrantIdParams } },
        async (request) => assistants.revoke(customerOf(request).id, request.params.grantId),
      );
    });
  };
}

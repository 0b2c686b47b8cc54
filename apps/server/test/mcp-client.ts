/**
 * The official MCP SDK client talking to an in-process hub: its fetch goes through
 * `app.inject`, so server tests need no port.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Hub } from '../src/hub.js';

export function injectFetch(hub: Hub): typeof fetch {
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => (headers[k] = v));
    const res = await hub.app.inject({
      method: (init.method ?? 'GET') as 'GET',
      url: url.pathname + url.search,
      headers,
      ...(init.body === undefined || init.body === null ? {} : { payload: String(init.body) }),
    });
    const out = new Headers();
    for (const [k, v] of Object.entries(res.headers))
      if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(', ') : String(v));
    return new Response(res.statusCode === 204 || res.statusCode === 202 ? null : res.rawPayload, {
      status: res.statusCode,
      headers: out,
    });
  }) as typeof fetch;
}

export async function mcpClient(hub: Hub, accessToken: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${hub.ctx.config.publicUrl}/mcp`), {
    fetch: injectFetch(hub),
    requestInit: { headers: { authorization: `Bearer ${accessToken}` } },
  });
  const client = new Client({ name: 'confide-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

/**
 * A customer's assistant, as any MCP client would be: the official SDK's client with its
 * OAuth support (discovery from the 401, dynamic registration, PKCE, token refresh). The
 * consent step is the caller's: `authorize` receives the hub's authorization URL and
 * returns the code the hub sent to `redirectUrl` (the demo opens a browser and listens on
 * loopback; the tests drive the consent screen over HTTP).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';

export interface AssistantOptions {
  hubUrl: string;
  /** Loopback redirect URI registered with the hub (http://127.0.0.1:PORT/callback). */
  redirectUrl: string;
  clientName?: string;
  /** Scopes to ask for (the customer decides on the consent screen). */
  scope?: string;
  /** Shows the authorization URL to the customer; resolves with the code from the redirect. */
  authorize(url: URL): Promise<string>;
}

/** Keeps the registration, tokens and PKCE verifier in memory for one run. */
class MemoryProvider implements OAuthClientProvider {
  #client: OAuthClientInformationMixed | undefined;
  #tokens: OAuthTokens | undefined;
  #verifier = '';
  pending: URL | undefined;
  readonly #options: AssistantOptions;
  constructor(options: AssistantOptions) {
    this.#options = options;
  }
  get redirectUrl(): string {
    return this.#options.redirectUrl;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.#options.clientName ?? 'Confide demo assistant',
      redirect_uris: [this.#options.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      scope: this.#options.scope ?? 'read act',
    };
  }
  clientInformation() {
    return this.#client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.#client = info;
  }
  tokens() {
    return this.#tokens;
  }
  saveTokens(tokens: OAuthTokens) {
    this.#tokens = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.pending = url;
  }
  saveCodeVerifier(verifier: string) {
    this.#verifier = verifier;
  }
  codeVerifier() {
    return this.#verifier;
  }
}

export interface ConnectedAssistant {
  client: Client;
  /** The tokens the SDK holds (to show that a revoked one stops working). */
  tokens(): OAuthTokens | undefined;
  close(): Promise<void>;
}

/** Connects to the hub's MCP server, running the OAuth flow when the hub answers 401. */
export async function connectAssistant(options: AssistantOptions): Promise<ConnectedAssistant> {
  const provider = new MemoryProvider(options);
  const endpoint = new URL(`${options.hubUrl}/mcp`);
  const transport = () => new StreamableHTTPClientTransport(endpoint, { authProvider: provider });
  const client = new Client({ name: options.clientName ?? 'Confide demo assistant', version: '1.0.0' });
  const first = transport();
  try {
    await client.connect(first);
  } catch (err) {
    if (!(err instanceof UnauthorizedError) || provider.pending === undefined) throw err;
    const code = await options.authorize(provider.pending);
    await first.finishAuth(code);
    await client.connect(transport());
  }
  return { client, tokens: () => provider.tokens(), close: () => client.close() };
}

/** The text of a tool's answer. */
export function toolText(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content.map((c) => c.text ?? '').join('\n');
}

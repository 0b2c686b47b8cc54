/**
 * @module clients/linking-client
 * Account linking (reference §6): resolve the PSID behind an `account_linking_token`
 * during the log-in webview, and unlink from the bank's side.
 */
import type { HttpTransport } from '../transport/http-transport.js';

/** Links and unlinks customers' bank accounts to their PSID. */
export class LinkingClient {
  readonly #transport: HttpTransport;

  constructor(transport: HttpTransport) {
    this.#transport = transport;
  }

  /**
   * Returns the PSID of the customer who opened the log-in page. Call it before
   * redirecting to `redirect_uri` so the bank can bind the PSID to its own customer id.
   * @param accountLinkingToken the `account_linking_token` query parameter (valid 5 minutes).
   * @throws {PlatformApiError} code 10303 for a bad, reused or expired token.
   * @example
   * const psid = await platform.linking.getPsid(url.searchParams.get('account_linking_token')!);
   */
  async getPsid(accountLinkingToken: string): Promise<string> {
    const res = await this.#transport.get<{ id: string; recipient: string }>('/me', {
      fields: 'recipient',
      account_linking_token: accountLinkingToken,
    });
    return res.recipient;
  }

  /** Unlinks a customer; the hub then sends `account_linking` with `status: "unlinked"`. */
  unlink(psid: string): Promise<{ result: string }> {
    return this.#transport.post<{ result: string }>('/me/unlink_accounts', { psid });
  }
}

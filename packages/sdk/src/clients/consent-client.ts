/**
 * @module clients/consent-client
 * Confide consent requests: ask a customer, in their conversation, to allow categories of
 * proactive update. The hub renders the request and records the customer's answer; the
 * business never writes consent itself.
 */
import type { HttpTransport } from '../transport/http-transport.js';

/** The hub's answer to a consent request: the request and the card's message id. */
export interface ConsentRequestResponse {
  request_id: string;
  message_id: string;
}

/** Asks customers for consent through the hub's own card in the thread. */
export class ConsentClient {
  readonly #transport: HttpTransport;

  constructor(transport: HttpTransport) {
    this.#transport = transport;
  }

  /**
   * Posts the hub's consent card ("… would like to send you receipts and shipping updates —
   * Allow / Not now") in the customer's conversation. Categories must be declared by the page;
   * those already allowed are left out.
   * @throws {PlatformApiError} code 100 when a category is undeclared or all are already
   * allowed; 613 when the page asked this customer within the last day.
   * @example
   * await platform.consent.request(psid, ['receipts', 'shipping']);
   */
  request(psid: string, categories: readonly string[]): Promise<ConsentRequestResponse> {
    return this.#transport.post<ConsentRequestResponse>('/me/consent_requests', {
      recipient: { id: psid },
      categories: [...categories],
    });
  }
}

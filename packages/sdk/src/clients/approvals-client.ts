/**
 * @module clients/approvals-client
 * Four-eyes approvals (a Confide extension): ask a supervisor of the page's inbox to approve a
 * sensitive action in a customer's conversation. The decision arrives later as an `approvals`
 * webhook event ({@link Bot.onApproval}); subscribe the app to the `approvals` field.
 */
import type { ApprovalDetails, ApprovalKind } from '@confide/protocol';
import type { HttpTransport } from '../transport/http-transport.js';

/** What to ask for. */
export interface ApprovalRequestInput {
  /** The customer's PSID: the conversation the request is about. */
  psid: string;
  /** `card_unlock`, `limit_raise`, `refund`, `account_change` or `other`. */
  kind: ApprovalKind;
  /** One line for the supervisor (at most 300 characters). */
  summary: string;
  /** Short values the decision event carries back (ids, amounts, last four digits); at most 20 keys. */
  details?: ApprovalDetails;
}

/** Raises approval requests. */
export class ApprovalsClient {
  readonly #transport: HttpTransport;

  constructor(transport: HttpTransport) {
    this.#transport = transport;
  }

  /**
   * Asks the page's supervisors for an approval (`POST /me/approval_requests`).
   * @returns the request's id, which the decision event carries as `approval.id`.
   * @throws {PlatformApiError} code 100 for invalid parameters or a PSID unknown to the page.
   * @example
   * const { id } = await platform.approvals.request({
   *   psid, kind: 'card_unlock', summary: 'Unlock card •••• 4821 after a call', details: { card_last4: '4821' },
   * });
   */
  request(input: ApprovalRequestInput): Promise<{ id: string }> {
    return this.#transport.post<{ id: string }>('/me/approval_requests', {
      recipient: { id: input.psid },
      kind: input.kind,
      summary: input.summary,
      details: input.details ?? {},
    });
  }
}

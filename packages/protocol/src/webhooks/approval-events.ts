/**
 * @module webhooks/approval-events
 * `approvals` items (a Confide extension): a supervisor of the page decided a four-eyes approval
 * request, raised by the page's app (`POST /{page-id}/approval_requests`) or by an agent in the inbox.
 * The sender is the customer (PSID) the request is about, the recipient the page.
 */
import { z } from 'zod';
import { ParticipantSchema } from './events.js';

/** The decision on an approval request. */
export const ApprovalDecisionSchema = z.object({
  id: z.string(),
  /** `card_unlock`, `limit_raise`, `refund`, `account_change` or `other`. */
  kind: z.string(),
  status: z.enum(['approved', 'rejected']),
  /** The details given with the request. */
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  /** The supervisor's note (card numbers masked). */
  note: z.string(),
  decided_at: z.number(),
  /** The supervisor's display name (agents are not Graph objects). */
  decided_by: z.object({ name: z.string() }),
  /** Who asked: the page's app through the API, or an agent in the inbox. */
  requested_by: z.enum(['app', 'agent']),
});
export type ApprovalDecision = z.infer<typeof ApprovalDecisionSchema>;

export const ApprovalEventSchema = z.object({
  sender: ParticipantSchema,
  recipient: ParticipantSchema,
  timestamp: z.number(),
  approval: ApprovalDecisionSchema,
});
export type ApprovalEvent = z.infer<typeof ApprovalEventSchema>;

import { z } from 'zod';
import { AgentStatusSchema, InboxAssigneeSchema, InboxCustomerSchema } from './inbox-api.js';

/**
 * Supervision of the agent inbox, shared by the hub, the web app and the SDK: four-eyes
 * approval requests, SLA targets and timers, the supervisor's view of a page.
 */

/** What an approval request is about; `other` for anything the bank names in its summary. */
export const APPROVAL_KINDS = ['card_unlock', 'limit_raise', 'refund', 'account_change', 'other'] as const;
export const ApprovalKindSchema = z.enum(APPROVAL_KINDS);
export type ApprovalKind = z.infer<typeof ApprovalKindSchema>;

/** Details: a flat object of short values (ids, amounts, last four digits), at most 20 keys. */
export const ApprovalDetailsSchema = z
  .record(
    z.string().regex(/^[a-z][a-z0-9_]{0,39}$/u, 'keys are snake_case'),
    z.union([z.string().max(200), z.number(), z.boolean()]),
  )
  .refine((d) => Object.keys(d).length <= 20, 'at most 20 details');
export type ApprovalDetails = z.infer<typeof ApprovalDetailsSchema>;

const summary = z.string().trim().min(1).max(300);

/** `POST /{page-id}/approval_requests` (page token): the app asks a supervisor to approve an action in a conversation. */
export const CreateApprovalRequestSchema = z
  .object({
    recipient: z.object({
      id: z.union([z.string().regex(/^\d{1,32}$/u), z.number().int().positive()]).transform(String),
    }),
    kind: ApprovalKindSchema,
    summary,
    details: ApprovalDetailsSchema.default({}),
  })
  .strict();
export type CreateApprovalRequest = z.input<typeof CreateApprovalRequestSchema>;

/** `POST /inbox/api/conversations/:id/approvals`: the agent holding the conversation asks. */
export const InboxApprovalBodySchema = z
  .object({ kind: ApprovalKindSchema, summary, details: ApprovalDetailsSchema.default({}) })
  .strict();
export type InboxApprovalBody = z.input<typeof InboxApprovalBodySchema>;

/** `POST /inbox/api/approvals/:id/decision` (supervisors): approve or reject, with a note. */
export const InboxApprovalDecisionBodySchema = z
  .object({ decision: z.enum(['approve', 'reject']), note: z.string().trim().min(1).max(1000) })
  .strict();
export type InboxApprovalDecisionBody = z.infer<typeof InboxApprovalDecisionBodySchema>;

export const ApprovalStatusSchema = z.enum(['pending', 'approved', 'rejected']);
export type ApprovalStatus = z.infer<typeof ApprovalStatusSchema>;

export const InboxApprovalSchema = z.object({
  id: z.string(),
  conversation_id: z.string(),
  customer: InboxCustomerSchema,
  kind: ApprovalKindSchema,
  summary: z.string(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  status: ApprovalStatusSchema,
  /** The agent who asked, or null when the page's app asked through the Platform API. */
  requested_by: InboxAssigneeSchema,
  /** The page's app that asked through the Platform API (`display_name`: the page's name), or null when an agent asked. */
  requested_by_app: z.object({ id: z.string(), display_name: z.string() }).nullable(),
  /** For an app's request: the agent who held the conversation or had just handed it back (may not decide it). */
  prompted_by: InboxAssigneeSchema,
  decided_by: InboxAssigneeSchema,
  note: z.string().nullable(),
  created_at: z.number(),
  decided_at: z.number().nullable(),
  /** Whether this agent may decide it: a supervisor of the page who neither asked nor prompted it, while pending. */
  can_decide: z.boolean(),
});
export type InboxApproval = z.infer<typeof InboxApprovalSchema>;
export const InboxApprovalListSchema = z.object({ data: z.array(InboxApprovalSchema) });
export type InboxApprovalList = z.infer<typeof InboxApprovalListSchema>;

/** The hub's limits for a team's SLA targets, in seconds. */
export const SLA_LIMITS = {
  firstReplySeconds: { min: 30, max: 24 * 3600 },
  resolutionSeconds: { min: 300, max: 30 * 24 * 3600 },
} as const;

/** `PUT /inbox/api/teams/:id/sla` (supervisors): the team's first-reply and resolution targets. */
export const InboxSlaBodySchema = z
  .object({
    first_reply_seconds: z.number().int().min(SLA_LIMITS.firstReplySeconds.min).max(SLA_LIMITS.firstReplySeconds.max),
    resolution_seconds: z.number().int().min(SLA_LIMITS.resolutionSeconds.min).max(SLA_LIMITS.resolutionSeconds.max),
  })
  .strict()
  .refine(
    (b) => b.resolution_seconds >= b.first_reply_seconds,
    'resolution_seconds must be at least first_reply_seconds',
  );
export type InboxSlaBody = z.infer<typeof InboxSlaBodySchema>;
export const InboxSlaSchema = z.object({
  team_id: z.string(),
  first_reply_seconds: z.number(),
  resolution_seconds: z.number(),
});

/** `GET /inbox/api/supervision` (supervisors): the page at a glance. */
export const InboxSupervisionSchema = z.object({
  teams: z.array(
    z.object({
      id: z.string().nullable(),
      name: z.string(),
      waiting: z.number().int(),
      oldest_wait_ms: z.number().nullable(),
      sla: InboxSlaSchema.omit({ team_id: true }).nullable(),
    }),
  ),
  agents: z.array(
    z.object({
      id: z.string(),
      display_name: z.string(),
      team: z.string().nullable(),
      role: z.enum(['agent', 'supervisor']),
      status: AgentStatusSchema,
      load: z.number().int(),
      capacity: z.number().int(),
    }),
  ),
  breaches: z.array(
    z.object({
      conversation_id: z.string(),
      customer: InboxCustomerSchema,
      kind: z.enum(['first_reply', 'resolution']),
      due_at: z.number(),
      breached_at: z.number(),
      team: z.string().nullable(),
    }),
  ),
  pending_approvals: z.number().int(),
  now: z.number(),
});
export type InboxSupervision = z.infer<typeof InboxSupervisionSchema>;

/** Satisfaction answers of one team or agent over the window (`id`/`name` null: no team). */
const InboxCsatRowSchema = z.object({
  id: z.string().nullable(),
  name: z.string().nullable(),
  /** Average score, 1–5, two decimals. */
  average: z.number(),
  answers: z.number().int(),
});

/** `GET /inbox/api/supervision/csat`: the last 7 days' satisfaction averages per team and agent. */
export const InboxCsatSummarySchema = z.object({
  since: z.number(),
  teams: z.array(InboxCsatRowSchema),
  agents: z.array(InboxCsatRowSchema),
});
export type InboxCsatSummary = z.infer<typeof InboxCsatSummarySchema>;

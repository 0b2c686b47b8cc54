/**
 * Tables of the inbox's supervision (migration 028), added to `Database` by declaration
 * merging so schema.ts stays within its size budget.
 */
import type { Generated } from 'kysely';

/** A four-eyes approval request; `body` (summary and details) sealed under the customer's key. */
export interface InboxApprovalsTable {
  id: string;
  page_id: string;
  conversation_id: string;
  requested_by_agent: string | null;
  requested_by_app: string | null;
  /** For an app's request: the agent who held the conversation or had just handed it back (migration 033). */
  prompted_by_agent: string | null;
  kind: string;
  body: string;
  /** pending | approved | rejected */
  status: Generated<string>;
  decided_by: string | null;
  decided_at: number | null;
  created_at: number;
}

/** A team's SLA targets (first reply, resolution), within the hub's limits. */
export interface InboxSlaPoliciesTable {
  team_id: string;
  page_id: string;
  first_reply_ms: number;
  resolution_ms: number;
  updated_at: number;
}

/** One SLA timer of a conversation (first_reply | resolution), evaluated by the worker when due. */
export interface InboxSlaTimersTable {
  conversation_id: string;
  kind: string;
  page_id: string;
  team_id: string | null;
  started_at: number;
  due_at: number;
  met_at: number | null;
  breached_at: number | null;
}

declare module './schema.js' {
  interface Database {
    inbox_approvals: InboxApprovalsTable;
    inbox_sla_policies: InboxSlaPoliciesTable;
    inbox_sla_timers: InboxSlaTimersTable;
  }
}

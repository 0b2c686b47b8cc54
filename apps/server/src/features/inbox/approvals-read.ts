/** Reading approval requests in the inbox: the page's, newest first, opened for the agent. */
import type { ApprovalStatus, InboxApproval } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { ContentErasedError } from '../../privacy/purposes.js';
import type { Agent } from './agents.js';
import type { ApprovalBody } from './approvals.js';

const LIMIT = 100;

const agentRef = (id: string | null, name: string | null) =>
  id === null ? null : { id, display_name: name ?? 'A former agent' };

/** Approval requests of the agent's page (optionally of one status), with whether the agent may decide each. */
export async function listApprovals(
  ctx: HubContext,
  agent: Agent,
  filter: { status?: ApprovalStatus | undefined; conversationId?: string | undefined },
): Promise<InboxApproval[]> {
  let q = ctx.storage.db
    .selectFrom('inbox_approvals as r')
    .innerJoin('conversations as c', 'c.id', 'r.conversation_id')
    .innerJoin('customers as u', 'u.id', 'c.customer_id')
    .leftJoin('agents as ra', 'ra.id', 'r.requested_by_agent')
    .leftJoin('agents as da', 'da.id', 'r.decided_by')
    .leftJoin('agents as pa', 'pa.id', 'r.prompted_by_agent')
    .innerJoin('pages as p', 'p.id', 'r.page_id')
    .select(['r.id', 'r.conversation_id', 'r.kind', 'r.body', 'r.status', 'r.created_at', 'r.decided_at'])
    .select(['r.requested_by_agent', 'ra.display_name as requester_name', 'r.decided_by'])
    .select(['da.display_name as decider_name', 'c.psid', 'c.customer_id', 'u.username as first_name'])
    .select(['r.requested_by_app', 'p.name as page_name', 'r.prompted_by_agent', 'pa.display_name as prompter_name'])
    .where('r.page_id', '=', agent.page_id);
  if (filter.status !== undefined) q = q.where('r.status', '=', filter.status);
  if (filter.conversationId !== undefined) q = q.where('r.conversation_id', '=', filter.conversationId);
  const rows = await q.orderBy('r.created_at', 'desc').orderBy('r.id', 'desc').limit(LIMIT).execute();
  const access = { purpose: 'agent_support', actor: `agent:${agent.id}` } as const;
  const out: InboxApproval[] = [];
  for (const row of rows) {
    let body: ApprovalBody;
    try {
      body = (await ctx.storage.vault.openPayload(access, row.customer_id, row.body)) as ApprovalBody;
    } catch (err) {
      if (err instanceof ContentErasedError) continue;
      throw err;
    }
    const status = row.status as ApprovalStatus;
    out.push({
      id: row.id,
      conversation_id: row.conversation_id,
      customer: { psid: row.psid, first_name: row.first_name },
      kind: row.kind as InboxApproval['kind'],
      summary: body.summary,
      details: body.details,
      status,
      requested_by: agentRef(row.requested_by_agent, row.requester_name),
      requested_by_app:
        row.requested_by_app === null ? null : { id: row.requested_by_app, display_name: row.page_name },
      prompted_by: agentRef(row.prompted_by_agent, row.prompter_name),
      decided_by: row.decided_by === null ? null : { id: row.decided_by, display_name: row.decider_name ?? '' },
      note: body.note ?? null,
      created_at: row.created_at,
      decided_at: row.decided_at,
      can_decide:
        status === 'pending' &&
        agent.role === 'supervisor' &&
        row.requested_by_agent !== agent.id &&
        row.prompted_by_agent !== agent.id,
    });
  }
  return out;
}

/**
 * Four-eyes approvals: the page's app (Platform API) or the agent holding a conversation asks
 * for an approval of a sensitive action (unlock a card locked for fraud, raise a limit); a
 * supervisor of the page who did not ask approves or rejects it with a note. The decision goes
 * to the page's app as an `approvals` webhook event (through the outbox, in the same
 * transaction) and into the audit log. Summary, details and note are sealed under the
 * customer's key (erased with them); card numbers are masked before anything is stored.
 *
 * Who asked: the agent, or the app (`requested_by_app`). An app's request can be prompted by an
 * agent (the Sandbox Bank raises `card_unlock` when an agent hands back with "approve unlock"),
 * so the agent who held the conversation when the app asked, or had handed it back within
 * PROMPT_WINDOW_MS, is recorded as `prompted_by_agent` and may not decide it either.
 */
import {
  PlatformError,
  type ApprovalDecision,
  type ApprovalDetails,
  type ApprovalKind,
  type InboxApprovalDecisionBody,
} from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { newId } from '../../crypto/tokens.js';
import { appendAudit } from '../../privacy/audit-log.js';
import { maskCardNumbers } from '../../privacy/masking.js';
import type { WriteTx } from '../../storage/write-queue.js';
import { findConversationByPsid } from '../conversations/store.js';
import { appendWebhook } from '../../timeline/index.js';
import type { Agent } from './agents.js';
import { findInboxConversation } from './inbox-store.js';
import { publishInboxChange } from './publish.js';

/** What is sealed in `inbox_approvals.body`. */
export interface ApprovalBody {
  summary: string;
  details: ApprovalDetails;
  note?: string;
}

interface NewApproval {
  kind: ApprovalKind;
  summary: string;
  details: ApprovalDetails;
}

const maskDetails = (details: ApprovalDetails): ApprovalDetails =>
  Object.fromEntries(
    Object.entries(details).map(([k, v]) => [k, typeof v === 'string' ? maskCardNumbers(v) : v]),
  ) as ApprovalDetails;

/** How long after handing a conversation back an agent still counts as prompting the app's request. */
export const PROMPT_WINDOW_MS = 60 * 60_000;

interface Requester {
  agentId: string | null;
  appId: string | null;
  promptedBy: string | null;
}

/** The agent holding the conversation in the page inbox, or who handed it back within PROMPT_WINDOW_MS. */
async function promptingAgent(tx: WriteTx, conversationId: string, now: number): Promise<string | null> {
  const thread = await tx.db
    .selectFrom('inbox_threads')
    .select(['status', 'agent_id', 'resolved_by', 'resolved_at'])
    .where('conversation_id', '=', conversationId)
    .executeTakeFirst();
  if (thread === undefined) return null;
  if (thread.status !== 'resolved') return thread.agent_id;
  const recent = thread.resolved_at !== null && Number(thread.resolved_at) >= now - PROMPT_WINDOW_MS;
  return recent ? thread.resolved_by : null;
}

async function insertApproval(
  tx: WriteTx,
  ctx: HubContext,
  conv: { id: string; page_id: string; customer_id: string },
  by: Requester,
  input: NewApproval,
): Promise<string> {
  const id = newId('apr');
  const now = ctx.now();
  const body: ApprovalBody = { summary: maskCardNumbers(input.summary), details: maskDetails(input.details) };
  await tx.db
    .insertInto('inbox_approvals')
    .values({
      id,
      page_id: conv.page_id,
      conversation_id: conv.id,
      requested_by_agent: by.agentId,
      requested_by_app: by.appId,
      prompted_by_agent: by.promptedBy,
      kind: input.kind,
      body: await tx.vault.sealPayload(conv.customer_id, conv.id, body),
      decided_by: null,
      decided_at: null,
      created_at: now,
    })
    .execute();
  await appendAudit(tx.db, {
    at: now,
    actor: by.agentId === null ? `app:${by.appId}` : `agent:${by.agentId}`,
    action: 'inbox.approval_requested',
    customerId: conv.customer_id,
    target: id,
    details: {
      page: conv.page_id,
      conversation: conv.id,
      kind: input.kind,
      ...(by.promptedBy === null ? {} : { prompted_by: `agent:${by.promptedBy}` }),
    },
  });
  publishInboxChange(tx, ctx.bus, conv.page_id, conv.id, 'approval');
  return id;
}

/**
 * `POST /{page-id}/approval_requests`: the page's app asks about the conversation of `psid`.
 * @throws PlatformError `NO_MATCHING_USER` for a PSID unknown to the page (nothing written).
 */
export async function requestApprovalFromApp(
  ctx: HubContext,
  principal: { pageId: string; appId: string },
  input: NewApproval & { psid: string },
): Promise<{ id: string }> {
  return ctx.storage.writes.run(async (tx) => {
    const conv = await findConversationByPsid(tx.db, principal.pageId, input.psid);
    if (conv === undefined) throw new PlatformError('NO_MATCHING_USER');
    const promptedBy = await promptingAgent(tx, conv.id, ctx.now());
    const by = { agentId: null, appId: principal.appId, promptedBy };
    return { id: await insertApproval(tx, ctx, conv, by, input) };
  });
}

/**
 * The agent holding a conversation asks for a supervisor's approval.
 * @throws PlatformError `NOT_FOUND` outside the agent's page inbox, `CONVERSATION_RESOLVED`,
 * `CONVERSATION_NOT_ASSIGNED` / `CONVERSATION_TAKEN` unless the agent holds it.
 */
export async function requestApprovalFromAgent(
  ctx: HubContext,
  agent: Agent,
  conversationId: string,
  input: NewApproval,
): Promise<string> {
  return ctx.storage.writes.run(async (tx) => {
    const conv = await findInboxConversation(tx.db, agent.page_id, conversationId);
    if (conv === undefined) throw new PlatformError('NOT_FOUND');
    if (conv.status === 'resolved') throw new PlatformError('CONVERSATION_RESOLVED');
    if (conv.agent_id === null) throw new PlatformError('CONVERSATION_NOT_ASSIGNED');
    if (conv.agent_id !== agent.id) throw new PlatformError('CONVERSATION_TAKEN');
    return insertApproval(tx, ctx, conv, { agentId: agent.id, appId: null, promptedBy: null }, input);
  });
}

/** Four-eyes: neither the agent who asked nor the one who prompted the app's request decides it. */
function refuseOwnRequest(row: { requested_by_agent: string | null; prompted_by_agent: string | null }, agent: Agent) {
  if (row.requested_by_agent === agent.id) throw new PlatformError('APPROVAL_OWN_REQUEST');
  if (row.prompted_by_agent === agent.id)
    throw new PlatformError('APPROVAL_OWN_REQUEST', {
      message: 'The bank asked after your hand-back, so the request is yours: another supervisor must decide it.',
    });
}

/**
 * A supervisor of the page approves or rejects a pending request; the page's app gets the
 * decision as an `approvals` webhook event (only the asking app when an app asked).
 * @throws PlatformError `NOT_FOUND` for another page's request (or an unknown one), `FORBIDDEN`
 * for an agent who is not a supervisor, `APPROVAL_OWN_REQUEST` for the agent who asked (or who
 * prompted the app's request), `APPROVAL_DECIDED` once decided. Nothing is written on a refusal.
 */
export async function decideApproval(
  ctx: HubContext,
  agent: Agent,
  approvalId: string,
  input: InboxApprovalDecisionBody,
): Promise<void> {
  await ctx.storage.writes.run(async (tx) => {
    const row = await tx.db
      .selectFrom('inbox_approvals as r')
      .innerJoin('conversations as c', 'c.id', 'r.conversation_id')
      .select(['r.id', 'r.kind', 'r.body', 'r.status', 'r.requested_by_agent', 'r.requested_by_app'])
      .select('r.prompted_by_agent')
      .select(['c.id as conversation_id', 'c.customer_id', 'c.psid', 'c.page_id'])
      .where('r.id', '=', approvalId)
      .where('r.page_id', '=', agent.page_id)
      .executeTakeFirst();
    if (row === undefined) throw new PlatformError('NOT_FOUND');
    if (agent.role !== 'supervisor')
      throw new PlatformError('FORBIDDEN', { message: 'Only a supervisor of the page decides approval requests.' });
    refuseOwnRequest(row, agent);
    if (row.status !== 'pending') throw new PlatformError('APPROVAL_DECIDED');
    const now = ctx.now();
    const status = input.decision === 'approve' ? 'approved' : 'rejected';
    const access = { purpose: 'agent_support', actor: `agent:${agent.id}` } as const;
    const body = (await tx.vault.openPayload(access, row.customer_id, row.body)) as ApprovalBody;
    const note = maskCardNumbers(input.note);
    const sealed = await tx.vault.sealPayload(row.customer_id, row.conversation_id, { ...body, note });
    // Conditional on "still pending": two supervisors deciding at once cannot both win.
    const updated = await tx.db
      .updateTable('inbox_approvals')
      .set({ status, decided_by: agent.id, decided_at: now, body: sealed })
      .where('id', '=', row.id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) throw new PlatformError('APPROVAL_DECIDED');
    await appendAudit(tx.db, {
      at: now,
      actor: `agent:${agent.id}`,
      action: 'inbox.approval_decided',
      customerId: row.customer_id,
      target: row.id,
      details: { page: row.page_id, conversation: row.conversation_id, kind: row.kind, status },
    });
    const approval: ApprovalDecision = {
      id: row.id,
      kind: row.kind,
      status,
      details: body.details,
      note,
      decided_at: now,
      decided_by: { name: agent.display_name },
      requested_by: row.requested_by_agent === null ? 'app' : 'agent',
    };
    await deliverDecision(tx, ctx, row, approval);
    publishInboxChange(tx, ctx.bus, row.page_id, row.conversation_id, 'approval');
  });
}

/** The decision to the page's app: only the asking app when an app asked, else every app subscribed to `approvals`. */
async function deliverDecision(
  tx: WriteTx,
  ctx: HubContext,
  row: { page_id: string; conversation_id: string; customer_id: string; psid: string; requested_by_app: string | null },
  approval: ApprovalDecision,
): Promise<void> {
  const now = approval.decided_at;
  await appendWebhook(tx, ctx.bus, {
    pageId: row.page_id,
    conversationId: row.conversation_id,
    customerId: row.customer_id,
    psid: row.psid,
    field: 'approvals',
    item: { approval },
    threadOwnerAppId: null,
    ...(row.requested_by_app === null ? {} : { targetAppId: row.requested_by_app }),
    timestamp: now,
  });
}

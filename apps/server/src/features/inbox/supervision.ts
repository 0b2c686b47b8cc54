/**
 * The supervisor's view of a page: per team the queue length, the oldest wait and the SLA
 * targets; the agents with their status and load; SLA breaches of conversations still in the
 * inbox; pending approvals. Supervisors may also read any conversation of the page without
 * taking it (recorded as a view and as a supervisor read in the audit log).
 */
import { PlatformError, type InboxConversation, type InboxSupervision } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { appendAudit } from '../../privacy/audit-log.js';
import type { Database } from '../../storage/schema.js';
import type { Kysely } from 'kysely';
import type { Agent } from './agents.js';
import type { Inbox } from './inbox.js';
import { listInboxConversations } from './inbox-store.js';

const BREACHES_SHOWN = 50;

/** Refuses agents who are not supervisors. */
export function assertSupervisor(agent: Agent): void {
  if (agent.role !== 'supervisor')
    throw new PlatformError('FORBIDDEN', { message: 'Only a supervisor of the page can do that.' });
}

/** `GET /inbox/api/supervision`. @throws PlatformError `FORBIDDEN` for an agent who is not a supervisor. */
export async function supervisionOf(ctx: HubContext, agent: Agent): Promise<InboxSupervision> {
  assertSupervisor(agent);
  const db = ctx.storage.db;
  const now = ctx.now();
  const [teams, policies, agents, held, breaches, pending] = await loadSupervision(db, agent.page_id);
  const waiting = held.filter((c) => c.status === 'open');
  const load = new Map<string, number>();
  for (const c of held)
    if (c.agent_id !== null && c.status !== 'resolved') load.set(c.agent_id, (load.get(c.agent_id) ?? 0) + 1);
  const queueOf = (teamId: string | null) => {
    const mine = waiting.filter((c) => c.team_id === teamId);
    const oldest = Math.min(...mine.map((c) => c.queued_at ?? c.last_message_at));
    return { waiting: mine.length, oldest_wait_ms: mine.length === 0 ? null : now - oldest };
  };
  const slaOf = (teamId: string) => {
    const p = policies.find((x) => x.team_id === teamId);
    return p === undefined
      ? null
      : { first_reply_seconds: Number(p.first_reply_ms) / 1000, resolution_seconds: Number(p.resolution_ms) / 1000 };
  };
  return {
    teams: [
      ...teams.map((t) => ({ id: t.id, name: t.name, ...queueOf(t.id), sla: slaOf(t.id) })),
      { id: null, name: 'No team', ...queueOf(null), sla: null },
    ],
    agents: agents.map((a) => ({
      id: a.id,
      display_name: a.display_name,
      team: a.team,
      role: a.role === 'supervisor' ? 'supervisor' : 'agent',
      status: a.status === 'online' || a.status === 'away' ? a.status : 'offline',
      load: load.get(a.id) ?? 0,
      capacity: Number(a.capacity),
    })),
    breaches: breaches.map((b) => ({
      conversation_id: b.conversation_id,
      customer: { psid: b.psid, first_name: b.username },
      kind: b.kind === 'resolution' ? 'resolution' : 'first_reply',
      due_at: b.due_at,
      breached_at: b.breached_at ?? b.due_at,
      team: b.name,
    })),
    pending_approvals: Number(pending.n),
    now,
  };
}

function loadSupervision(db: Kysely<Database>, pageId: string) {
  return Promise.all([
    db.selectFrom('inbox_teams').select(['id', 'name']).where('page_id', '=', pageId).orderBy('name').execute(),
    db.selectFrom('inbox_sla_policies').selectAll().where('page_id', '=', pageId).execute(),
    db
      .selectFrom('agents as a')
      .leftJoin('inbox_teams as tm', 'tm.id', 'a.team_id')
      .select(['a.id', 'a.display_name', 'a.role', 'a.status', 'a.capacity', 'tm.name as team'])
      .where('a.page_id', '=', pageId)
      .orderBy('a.display_name')
      .execute(),
    listInboxConversations(db, pageId),
    db
      .selectFrom('inbox_sla_timers as t')
      .innerJoin('conversations as c', 'c.id', 't.conversation_id')
      .innerJoin('customers as u', 'u.id', 'c.customer_id')
      .leftJoin('inbox_teams as tm', 'tm.id', 't.team_id')
      .select(['t.conversation_id', 't.kind', 't.due_at', 't.breached_at', 'c.psid', 'u.username', 'tm.name'])
      .where('t.page_id', '=', pageId)
      .where('t.breached_at', 'is not', null)
      .orderBy('t.breached_at', 'desc')
      .limit(BREACHES_SHOWN)
      .execute(),
    db
      .selectFrom('inbox_approvals')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('page_id', '=', pageId)
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow(),
  ]);
}

/** A supervisor opens any conversation of the page without taking it; the read is audited. */
export async function superviseConversation(
  ctx: HubContext,
  inbox: Inbox,
  agent: Agent,
  conversationId: string,
): Promise<InboxConversation> {
  assertSupervisor(agent);
  const conversation = await inbox.view(agent, conversationId);
  await ctx.storage.writes.run(async (tx) => {
    const conv = await tx.db
      .selectFrom('conversations')
      .select('customer_id')
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();
    await appendAudit(tx.db, {
      at: ctx.now(),
      actor: `agent:${agent.id}`,
      action: 'inbox.supervisor_read',
      customerId: conv.customer_id,
      target: conversationId,
      details: { page: agent.page_id, assigned: conversation.assigned_agent !== null },
    });
  });
  return conversation;
}

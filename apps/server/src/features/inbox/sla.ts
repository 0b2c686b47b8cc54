/**
 * SLA targets per team (first reply, resolution; within SLA_LIMITS) and the timers of each
 * conversation handed to a team that has targets. A timer is a row: started when the page
 * inbox gets the thread, met by the agent's first reply or by the conversation leaving the
 * inbox, breached by the worker (sla-worker.ts) when it is still unmet at `due_at`.
 */
import { PlatformError, type InboxSlaBody, type InboxSlaState } from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { HubContext } from '../../context.js';
import { appendAudit } from '../../privacy/audit-log.js';
import type { Database } from '../../storage/schema.js';
import type { WriteTx } from '../../storage/write-queue.js';
import type { Agent } from './agents.js';

export type SlaKind = 'first_reply' | 'resolution';

/**
 * A supervisor sets a team's targets.
 * @throws PlatformError `FORBIDDEN` for an agent who is not a supervisor, `NOT_FOUND` for a team
 * of another page (or unknown). Nothing is written on a refusal.
 */
export async function setTeamSla(ctx: HubContext, agent: Agent, teamId: string, body: InboxSlaBody): Promise<void> {
  if (agent.role !== 'supervisor')
    throw new PlatformError('FORBIDDEN', { message: 'Only a supervisor of the page sets SLA targets.' });
  const now = ctx.now();
  const values = {
    page_id: agent.page_id,
    first_reply_ms: body.first_reply_seconds * 1000,
    resolution_ms: body.resolution_seconds * 1000,
    updated_at: now,
  };
  await ctx.storage.writes.run(async (tx) => {
    const team = await tx.db
      .selectFrom('inbox_teams')
      .select('id')
      .where('id', '=', teamId)
      .where('page_id', '=', agent.page_id)
      .executeTakeFirst();
    if (team === undefined) throw new PlatformError('NOT_FOUND', { message: 'No such team on this page.' });
    await tx.db
      .insertInto('inbox_sla_policies')
      .values({ team_id: team.id, ...values })
      .onConflict((oc) => oc.column('team_id').doUpdateSet(values))
      .execute();
    await appendAudit(tx.db, {
      at: now,
      actor: `agent:${agent.id}`,
      action: 'inbox.sla_changed',
      target: team.id,
      details: { page: agent.page_id, ...body },
    });
  });
}

/** Starts (or restarts) the conversation's timers when its team has targets; inside the hand-over's transaction. */
export async function startSlaTimers(
  tx: WriteTx,
  input: { conversationId: string; pageId: string; teamId: string | null; at: number },
): Promise<void> {
  await tx.db.deleteFrom('inbox_sla_timers').where('conversation_id', '=', input.conversationId).execute();
  if (input.teamId === null) return;
  const policy = await tx.db
    .selectFrom('inbox_sla_policies')
    .select(['first_reply_ms', 'resolution_ms'])
    .where('team_id', '=', input.teamId)
    .executeTakeFirst();
  if (policy === undefined) return;
  const row = (kind: SlaKind, ms: number) => ({
    conversation_id: input.conversationId,
    kind,
    page_id: input.pageId,
    team_id: input.teamId,
    started_at: input.at,
    due_at: input.at + Number(ms),
    met_at: null,
    breached_at: null,
  });
  await tx.db
    .insertInto('inbox_sla_timers')
    .values([row('first_reply', policy.first_reply_ms), row('resolution', policy.resolution_ms)])
    .execute();
}

/**
 * A transfer to another team, inside the transfer's transaction. The customer's wait does not
 * start again when the bank moves them: a running timer keeps its start and is re-aimed at the
 * target team's target (`due_at = started_at + target`; already past → breached at the worker's
 * next tick), and its row names the target team. A met or breached timer is history and stays
 * as it is (a first reply already given is not owed again). A target team without targets stops
 * the running timers (deleted); a conversation that had none starts the target's timers at the
 * transfer, since no target was owed before it. A transfer to an agent keeps the team, so it
 * does not call this: both timers run on.
 */
export async function moveSlaTimers(
  tx: WriteTx,
  input: { conversationId: string; pageId: string; teamId: string; at: number },
): Promise<void> {
  const policy = await tx.db
    .selectFrom('inbox_sla_policies')
    .select(['first_reply_ms', 'resolution_ms'])
    .where('team_id', '=', input.teamId)
    .executeTakeFirst();
  const running = tx.db
    .selectFrom('inbox_sla_timers')
    .select(['kind', 'started_at'])
    .where('conversation_id', '=', input.conversationId)
    .where('met_at', 'is', null)
    .where('breached_at', 'is', null);
  if (policy === undefined) {
    await tx.db
      .deleteFrom('inbox_sla_timers')
      .where('conversation_id', '=', input.conversationId)
      .where('met_at', 'is', null)
      .where('breached_at', 'is', null)
      .execute();
    return;
  }
  const any = await tx.db
    .selectFrom('inbox_sla_timers')
    .select('kind')
    .where('conversation_id', '=', input.conversationId)
    .executeTakeFirst();
  if (any === undefined) {
    await startSlaTimers(tx, input);
    return;
  }
  const target = (kind: SlaKind) => Number(kind === 'first_reply' ? policy.first_reply_ms : policy.resolution_ms);
  for (const timer of await running.execute()) {
    await tx.db
      .updateTable('inbox_sla_timers')
      .set({ team_id: input.teamId, due_at: Number(timer.started_at) + target(timer.kind as SlaKind) })
      .where('conversation_id', '=', input.conversationId)
      .where('kind', '=', timer.kind)
      .execute();
  }
}

/** Marks the conversation's running timers of `kinds` as met at `at`. */
export async function meetSlaTimers(
  db: Kysely<Database>,
  conversationId: string,
  kinds: readonly SlaKind[],
  at: number,
): Promise<void> {
  await db
    .updateTable('inbox_sla_timers')
    .set({ met_at: at })
    .where('conversation_id', '=', conversationId)
    .where('kind', 'in', kinds)
    .where('met_at', 'is', null)
    .execute();
}

/** The SLA state of each conversation that has timers (a due time only while unmet). */
export async function slaStates(db: Kysely<Database>, conversationIds: string[]): Promise<Map<string, InboxSlaState>> {
  const out = new Map<string, InboxSlaState>();
  if (conversationIds.length === 0) return out;
  const rows = await db
    .selectFrom('inbox_sla_timers')
    .select(['conversation_id', 'kind', 'due_at', 'met_at', 'breached_at'])
    .where('conversation_id', 'in', conversationIds)
    .execute();
  for (const r of rows) {
    const state = out.get(r.conversation_id) ?? { first_reply_due_at: null, resolution_due_at: null, breached: [] };
    const kind = r.kind as SlaKind;
    if (r.met_at === null) state[kind === 'first_reply' ? 'first_reply_due_at' : 'resolution_due_at'] = r.due_at;
    if (r.breached_at !== null) state.breached.push(kind);
    out.set(r.conversation_id, state);
  }
  return out;
}

/**
 * Routing of waiting conversations: the hand-over names a team (its `metadata` as JSON
 * `{"team": "Fraud", "reason": "card locked"}`; plain text is only a reason), and a team with
 * auto-assign gives its waiting conversations, oldest first, to its online agents that have
 * capacity left (fewest conversations first). Runs in the transaction of whatever freed or
 * added work: a hand-over, an agent going online, a resolve.
 */
import { PAGE_INBOX_APP_ID } from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { HubContext } from '../../context.js';
import type { Database } from '../../storage/schema.js';
import type { WriteTx } from '../../storage/write-queue.js';
import type { Agent } from './agents.js';
import { publishInboxChange } from './publish.js';
import { BusinessHoursSchema, describeOpening, isOpen, nextOpening } from './business-hours.js';
import { postJoinedLine, postSystemLine } from './system-lines.js';

/** What a hand-over's metadata says: the team named (if any) and the reason to show agents. */
export function parseHandoverMetadata(metadata: string | undefined): {
  team: string | null;
  reason: string | null;
  caseRef: string | null;
} {
  if (metadata === undefined || metadata.trim() === '') return { team: null, reason: null, caseRef: null };
  try {
    const parsed: unknown = JSON.parse(metadata);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const { team, reason, case_ref: caseRef } = parsed as Record<string, unknown>;
      const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
      return { team: text(team), reason: text(reason), caseRef: text(caseRef) };
    }
  } catch {
    // Not JSON: the whole text is the reason.
  }
  return { team: null, reason: metadata, caseRef: null };
}

/** The team of `pageId` called `name` (case-insensitive), if any. */
export async function findTeamByName(
  db: Kysely<Database>,
  pageId: string,
  name: string,
): Promise<{ id: string; name: string; hours: string | null } | undefined> {
  const teams = await db
    .selectFrom('inbox_teams')
    .select(['id', 'name', 'hours'])
    .where('page_id', '=', pageId)
    .execute();
  return teams.find((t) => t.name.toLowerCase() === name.toLowerCase());
}

/**
 * Outside the team's business hours, the customer is told when someone will answer (a system
 * line in the hand-over's transaction); the conversation waits in the queue meanwhile.
 */
export async function tellIfClosed(
  tx: WriteTx,
  ctx: HubContext,
  conversation: { id: string; customer_id: string; page_id: string },
  team: { name: string; hours: string | null },
): Promise<void> {
  if (team.hours === null) return;
  const hours = BusinessHoursSchema.safeParse(JSON.parse(team.hours));
  const now = ctx.now();
  if (!hours.success || isOpen(hours.data, now)) return;
  const opening = nextOpening(hours.data, now);
  const when =
    opening === undefined
      ? 'as soon as we can'
      : `from ${describeOpening(hours.data, opening)} (${hours.data.tz} time)`;
  await postSystemLine(tx, ctx, conversation, `Our ${team.name} team is away right now. Someone will answer ${when}.`);
}

/** Gives the page's waiting conversations of auto-assign teams to online agents with capacity, oldest first. */
export async function assignWaiting(tx: WriteTx, ctx: HubContext, pageId: string): Promise<void> {
  const waiting = await tx.db
    .selectFrom('inbox_threads as t')
    .innerJoin('conversations as c', 'c.id', 't.conversation_id')
    .innerJoin('inbox_teams as tm', 'tm.id', 't.team_id')
    .select(['t.conversation_id', 't.team_id', 'c.customer_id'])
    .where('t.page_id', '=', pageId)
    .where('t.agent_id', 'is', null)
    .where('t.status', '=', 'open')
    .where('tm.auto_assign', '=', 1)
    .where('c.thread_owner_app_id', '=', PAGE_INBOX_APP_ID)
    .orderBy('t.queued_at')
    .orderBy('t.conversation_id')
    .execute();
  for (const conv of waiting) {
    if (conv.team_id === null) continue;
    const agent = await pickAgent(tx.db, conv.team_id);
    if (agent === undefined) continue;
    const now = ctx.now();
    const taken = await tx.db
      .updateTable('inbox_threads')
      .set({ agent_id: agent.id, assigned_at: now, status: 'assigned' })
      .where('conversation_id', '=', conv.conversation_id)
      .where('agent_id', 'is', null)
      .executeTakeFirst();
    if (taken.numUpdatedRows === 0n) continue;
    await postJoinedLine(tx, ctx, { id: conv.conversation_id, customer_id: conv.customer_id, page_id: pageId }, agent);
    publishInboxChange(tx, ctx.bus, pageId, conv.conversation_id, 'taken');
  }
}

/** The team's online agent with the fewest conversations, below their capacity. */
async function pickAgent(
  db: Kysely<Database>,
  teamId: string,
): Promise<Pick<Agent, 'id' | 'display_name' | 'team_name'> | undefined> {
  const rows = await db
    .selectFrom('agents as a')
    .innerJoin('inbox_teams as tm', 'tm.id', 'a.team_id')
    .select((eb) => [
      'a.id',
      'a.display_name',
      'a.capacity',
      'tm.name as team_name',
      eb
        .selectFrom('inbox_threads as t')
        .innerJoin('conversations as c', 'c.id', 't.conversation_id')
        .select((e) => e.fn.countAll<number | string>().as('n'))
        .whereRef('t.agent_id', '=', 'a.id')
        .where('t.status', 'in', ['assigned', 'snoozed'])
        .where('c.thread_owner_app_id', '=', PAGE_INBOX_APP_ID)
        .as('load'),
    ])
    .where('a.team_id', '=', teamId)
    .where('a.status', '=', 'online')
    .orderBy('a.id')
    .execute();
  const free = rows.map((r) => ({ ...r, load: Number(r.load ?? 0) })).filter((r) => r.load < r.capacity);
  free.sort((x, y) => x.load - y.load);
  return free[0];
}

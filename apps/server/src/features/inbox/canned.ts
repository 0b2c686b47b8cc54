/**
 * Canned responses: texts a team's agents reuse, with variables `{{first_name}}` (the
 * customer's) and `{{case_ref}}` (the `case_ref` of the hand-over's JSON metadata). A text with
 * any other variable is refused at creation; filling one for a conversation that lacks a
 * value is refused too, so nothing half-filled reaches a customer.
 */
import { CANNED_VARIABLES, PlatformError, type InboxCanned } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { newId } from '../../crypto/tokens.js';
import type { Agent } from './agents.js';
import { findInboxConversation } from './inbox-store.js';

const VARIABLE = /\{\{\s*([^{}]*?)\s*\}\}/gu;

/** The variables `text` uses; throws for an unknown one. */
export function variablesOf(text: string): string[] {
  const names = [...text.matchAll(VARIABLE)].map((m) => m[1] ?? '');
  const unknown = names.filter((n) => !(CANNED_VARIABLES as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new PlatformError('BAD_REQUEST', {
      message: `Unknown variable {{${unknown[0]}}}: use ${CANNED_VARIABLES.map((v) => `{{${v}}}`).join(' or ')}.`,
    });
  }
  return names;
}

/** Creates a canned response (supervisors only) for a team of the page or the whole page. */
export async function createCanned(
  ctx: HubContext,
  agent: Agent,
  input: { title: string; text: string; team_id?: string | null | undefined },
): Promise<InboxCanned> {
  if (agent.role !== 'supervisor')
    throw new PlatformError('FORBIDDEN', { message: 'Only supervisors manage canned responses.' });
  variablesOf(input.text);
  const row = {
    id: newId('cr'),
    page_id: agent.page_id,
    team_id: input.team_id ?? null,
    title: input.title,
    text: input.text,
  };
  await ctx.storage.writes.run(async ({ db }) => {
    if (row.team_id !== null) {
      const team = await db
        .selectFrom('inbox_teams')
        .select('id')
        .where('id', '=', row.team_id)
        .where('page_id', '=', agent.page_id)
        .executeTakeFirst();
      if (team === undefined) throw new PlatformError('NOT_FOUND', { message: 'No such team on this page.' });
    }
    await db
      .insertInto('inbox_canned')
      .values({ ...row, created_at: ctx.now() })
      .execute();
  });
  return { id: row.id, title: row.title, text: row.text, team_id: row.team_id };
}

/** The agent's canned responses: their team's and the page's. */
export async function listCanned(ctx: HubContext, agent: Agent): Promise<InboxCanned[]> {
  return ctx.storage.db
    .selectFrom('inbox_canned')
    .select(['id', 'title', 'text', 'team_id'])
    .where('page_id', '=', agent.page_id)
    .where((eb) =>
      agent.team_id === null
        ? eb('team_id', 'is', null)
        : eb.or([eb('team_id', 'is', null), eb('team_id', '=', agent.team_id)]),
    )
    .orderBy('title')
    .execute();
}

/** Fills a canned response for a conversation of the agent's page. */
export async function fillCanned(
  ctx: HubContext,
  agent: Agent,
  conversationId: string,
  cannedId: string,
): Promise<{ text: string }> {
  const conv = await findInboxConversation(ctx.storage.db, agent.page_id, conversationId);
  if (conv === undefined) throw new PlatformError('NOT_FOUND');
  const canned = (await listCanned(ctx, agent)).find((c) => c.id === cannedId);
  if (canned === undefined) throw new PlatformError('NOT_FOUND', { message: 'No such canned response.' });
  const values: Record<string, string | undefined> = {
    first_name: conv.first_name,
    case_ref: conv.case_ref ?? undefined,
  };
  const text = canned.text.replace(VARIABLE, (_all, name: string) => {
    const value = values[name];
    if (value === undefined)
      throw new PlatformError('BAD_REQUEST', { message: `This conversation has no ${name} for {{${name}}}.` });
    return value;
  });
  return { text };
}

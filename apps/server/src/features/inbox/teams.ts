/** Teams of a page's inbox (`confide team create`): names unique per page, auto-assign on or off. */
import { PlatformError } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { newId } from '../../crypto/tokens.js';
import { BusinessHoursSchema, type BusinessHours } from './business-hours.js';

export interface CreateTeamInput {
  pageId: string;
  name: string;
  autoAssign?: boolean | undefined;
  /** Business hours; without them the team is always open. */
  hours?: unknown;
}

export interface Team {
  id: string;
  page_id: string;
  name: string;
  auto_assign: boolean;
  hours: BusinessHours | null;
}

/** A team name, trimmed. @throws PlatformError `BAD_REQUEST` when it is not 1–40 plain characters. */
export function checkTeamName(input: string): string {
  const name = input.trim();
  if (!/^[\p{L}\p{N} ._-]{1,40}$/u.test(name))
    throw new PlatformError('BAD_REQUEST', {
      message: 'Team names are 1–40 letters, digits, spaces, dots, dashes or underscores.',
    });
  return name;
}

/**
 * Creates a team of `pageId`.
 * @throws PlatformError `NOT_FOUND` for an unknown page, `BAD_REQUEST` for a bad or taken name.
 */
export async function createTeam(ctx: HubContext, input: CreateTeamInput): Promise<Team> {
  const name = checkTeamName(input.name);
  const parsed = input.hours === undefined ? undefined : BusinessHoursSchema.safeParse(input.hours);
  if (parsed !== undefined && !parsed.success) {
    throw new PlatformError('BAD_REQUEST', {
      message: 'Business hours are {tz, open: "HH:MM", close: "HH:MM", days: [1-7]} with an IANA time zone.',
    });
  }
  const team = {
    id: newId('tm'),
    page_id: input.pageId,
    name,
    auto_assign: input.autoAssign ?? true,
    hours: parsed?.data ?? null,
  };
  return ctx.storage.writes.run(async ({ db }) => {
    const page = await db.selectFrom('pages').select('id').where('id', '=', input.pageId).executeTakeFirst();
    if (page === undefined) throw new PlatformError('NOT_FOUND', { message: `No page ${input.pageId}` });
    const existing = await db.selectFrom('inbox_teams').select('name').where('page_id', '=', input.pageId).execute();
    if (existing.some((t) => t.name.toLowerCase() === name.toLowerCase()))
      throw new PlatformError('BAD_REQUEST', { message: `The page has a team called ${name} already.` });
    await db
      .insertInto('inbox_teams')
      .values({
        ...team,
        auto_assign: team.auto_assign ? 1 : 0,
        hours: team.hours === null ? null : JSON.stringify(team.hours),
        created_at: ctx.now(),
      })
      .execute();
    return team;
  });
}

/** The columns of an `Agent` (agents.ts), joined with its page and team. */
export const AGENT_COLUMNS = [
  'agents.id',
  'agents.page_id',
  'agents.username',
  'agents.display_name',
  'agents.persona_id',
  'pages.name as page_name',
  'agents.team_id',
  'inbox_teams.name as team_name',
  'agents.role',
  'agents.status',
  'agents.capacity',
] as const;

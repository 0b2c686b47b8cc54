/** The columns of a `Member` (members.ts), joined with its organisation. */
export const MEMBER_COLUMNS = [
  'org_members.id',
  'org_members.org_id',
  'organisations.name as org_name',
  'org_members.username',
  'org_members.role',
  'org_members.created_at',
] as const;

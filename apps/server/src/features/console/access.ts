/**
 * What each organisation role may do in the console. Owners do everything; developers
 * integrate (pages, secrets, tokens, webhooks); agent admins run the inbox's people;
 * viewers read. Checked by every use case before it touches anything.
 */
import { PlatformError, type OrgRole } from '@confide/protocol';

export type ConsoleAction =
  | 'members.invite'
  | 'pages.create'
  | 'secret.reveal'
  | 'secret.rotate'
  | 'tokens.manage'
  | 'webhooks.manage'
  | 'declarations.manage'
  | 'profile.manage'
  | 'people.manage'
  | 'templates.manage';

const ALLOWED: Record<ConsoleAction, readonly OrgRole[]> = {
  'members.invite': ['owner'],
  'pages.create': ['owner', 'developer'],
  'secret.reveal': ['owner', 'developer'],
  'secret.rotate': ['owner', 'developer'],
  'tokens.manage': ['owner', 'developer'],
  'webhooks.manage': ['owner', 'developer'],
  'declarations.manage': ['owner', 'developer'],
  'profile.manage': ['owner', 'developer'],
  'templates.manage': ['owner', 'developer'],
  // Personas and inbox agents: the people who answer customers.
  'people.manage': ['owner', 'agent-admin'],
};

/** Whether `role` may perform `action`. */
export function can(role: OrgRole, action: ConsoleAction): boolean {
  return ALLOWED[action].includes(role);
}

/** @throws PlatformError `FORBIDDEN` naming the roles that may. */
export function assertCan(role: OrgRole, action: ConsoleAction): void {
  if (!can(role, action))
    throw new PlatformError('FORBIDDEN', { message: `Only ${ALLOWED[action].join(' or ')} members can do that.` });
}

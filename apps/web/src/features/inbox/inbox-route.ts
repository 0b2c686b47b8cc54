/**
 * Routes of the agent inbox: `/inbox` (the queue), `/inbox/closed` (resolved conversations), `/inbox/supervision` (supervisors)
 * and `/inbox/conversations/:id`. The customer messenger keeps `/inbox/new` (its directory).
 */
export type InboxRoute =
  { name: 'queue' } | { name: 'closed' } | { name: 'supervision' } | { name: 'conversation'; conversationId: string };

/** True for the paths the agent inbox renders (checked once, at load, by the entry file). */
export const isAgentInboxPath = (pathname: string): boolean =>
  /^\/inbox(\/|\/closed\/?|\/supervision\/?|\/conversations\/[^/]+\/?)?$/.test(pathname);

export function parseInboxRoute(pathname: string): InboxRoute {
  if (/^\/inbox\/closed\/?$/.test(pathname)) return { name: 'closed' };
  if (/^\/inbox\/supervision\/?$/.test(pathname)) return { name: 'supervision' };
  const match = /^\/inbox\/conversations\/([^/]+)\/?$/.exec(pathname);
  if (match?.[1] !== undefined) return { name: 'conversation', conversationId: decodeURIComponent(match[1]) };
  return { name: 'queue' };
}

export const inboxConversationPath = (id: string) => `/inbox/conversations/${encodeURIComponent(id)}`;
export const QUEUE_PATH = '/inbox';
export const CLOSED_PATH = '/inbox/closed';
export const SUPERVISION_PATH = '/inbox/supervision';

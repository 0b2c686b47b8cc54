/**
 * A tiny history router for the few screens of the messenger:
 * `/` (conversation list), `/c/new` (directory), `/c/:id` (a thread), `/privacy`.
 * `/inbox` belongs to the agent inbox, a separate app (see main.tsx).
 */
import { useSyncExternalStore } from 'react';

export type Route =
  { name: 'inbox' } | { name: 'directory' } | { name: 'thread'; conversationId: string } | { name: 'privacy' };

const CHANGE = 'confide:navigate';

/** The directory; conversation ids start with `c_`, so `new` never collides with one. */
export const DIRECTORY_PATH = '/c/new';

export function parseRoute(pathname: string): Route {
  if (pathname === DIRECTORY_PATH) return { name: 'directory' };
  const thread = /^\/c\/([^/]+)\/?$/.exec(pathname);
  if (thread?.[1] !== undefined) return { name: 'thread', conversationId: decodeURIComponent(thread[1]) };
  if (pathname === '/privacy' || pathname === '/privacy/') return { name: 'privacy' };
  return { name: 'inbox' };
}

export const threadPath = (conversationId: string) => `/c/${encodeURIComponent(conversationId)}`;

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === location.pathname + location.search) return;
  if (options.replace === true) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.dispatchEvent(new Event(CHANGE));
}

const subscribe = (listener: () => void) => {
  window.addEventListener('popstate', listener);
  window.addEventListener(CHANGE, listener);
  return () => {
    window.removeEventListener('popstate', listener);
    window.removeEventListener(CHANGE, listener);
  };
};

/** The current pathname, re-rendering on navigation. */
export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => location.pathname);
}

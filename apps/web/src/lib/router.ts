/**
 * A tiny history router for the few screens of the messenger:
 * `/` and `/inbox` (conversation list), `/inbox/new` (directory), `/c/:id` (a thread), `/privacy`.
 */
import { useSyncExternalStore } from 'react';

export type Route = { name: 'inbox' } | { name: 'directory' } | { name: 'thread'; conversationId: string } | { name: 'privacy' };

const CHANGE = 'confide:navigate';

export function parseRoute(pathname: string): Route {
  const thread = /^\/c\/([^/]+)\/?$/.exec(pathname);
  if (thread?.[1] !== undefined) return { name: 'thread', conversationId: decodeURIComponent(thread[1]) };
  if (pathname === '/inbox/new') return { name: 'directory' };
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

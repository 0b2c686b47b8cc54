/**
 * Browser notifications for business messages that arrive while the tab is hidden.
 * Permission is only ever requested from a button the customer presses.
 */
import { useSyncExternalStore } from 'react';

export type NotifyPermission = NotificationPermission | 'unsupported';

const supported = () => typeof window !== 'undefined' && 'Notification' in window;

const listeners = new Set<() => void>();
const current = (): NotifyPermission => (supported() ? Notification.permission : 'unsupported');

/** Asks for permission (must be called from a user gesture). */
export async function requestNotifyPermission(): Promise<NotifyPermission> {
  if (!supported()) return 'unsupported';
  const result = await Notification.requestPermission();
  for (const l of listeners) l();
  return result;
}

export function useNotifyPermission(): NotifyPermission {
  return useSyncExternalStore((l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  }, current);
}

/** Shows a notification when allowed and the tab is hidden; clicking it opens the conversation. */
export function notifyIfHidden(title: string, body: string, tag: string, onOpen: () => void): void {
  if (!supported() || Notification.permission !== 'granted' || document.visibilityState !== 'hidden') return;
  try {
    const n = new Notification(title, { body, tag, icon: '/favicon.svg' });
    n.onclick = () => {
      window.focus();
      onOpen();
      n.close();
    };
  } catch {
    // Some platforms only allow notifications from a service worker; nothing to do.
  }
}

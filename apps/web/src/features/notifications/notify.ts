/**
 * Browser notifications for business messages that arrive while the tab is hidden.
 * Permission is only ever requested from a button the customer presses. Once granted, the
 * customer can still turn them off (and on again) on this device: the browser's permission
 * cannot be revoked from a page, so the choice is kept in this browser's storage. The same
 * switch turns Web Push on and off for this device (push.ts).
 */
import { useSyncExternalStore } from 'react';
import { disablePush, enablePush } from './push';

/**
 * What the notifications button shows: `ask` (never asked), `on`, `off` (granted but turned
 * off here), `blocked` (denied in the browser's settings), `unsupported`.
 */
export type NotifyState = 'ask' | 'on' | 'off' | 'blocked' | 'unsupported';

const PREF_KEY = 'confide.notifications';
const supported = () => typeof window !== 'undefined' && 'Notification' in window;

const listeners = new Set<() => void>();
const changed = () => {
  for (const l of listeners) l();
};

function devicePref(): 'on' | 'off' {
  try {
    return localStorage.getItem(PREF_KEY) === 'off' ? 'off' : 'on';
  } catch {
    return 'on';
  }
}

function setDevicePref(pref: 'on' | 'off'): void {
  try {
    localStorage.setItem(PREF_KEY, pref);
  } catch {
    // Without storage the choice lasts as long as the page (kept below).
  }
  sessionPref = pref;
  changed();
}

let sessionPref: 'on' | 'off' | undefined;

export function notifyState(): NotifyState {
  if (!supported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'blocked';
  if (Notification.permission === 'default') return 'ask';
  return sessionPref ?? devicePref();
}

/**
 * The button's action (from a user gesture): asks the browser the first time, then turns
 * notifications off or on for this device. Answers the new state.
 */
export async function toggleNotifications(): Promise<NotifyState> {
  const state = notifyState();
  if (state === 'ask') {
    const result = await Notification.requestPermission();
    if (result === 'granted') setDevicePref('on');
    else changed();
  } else if (state === 'on') setDevicePref('off');
  else if (state === 'off') setDevicePref('on');
  const next = notifyState();
  // Web Push follows the same switch: on, this device is reached even with Confide closed.
  if (next === 'on') await enablePush().catch(() => false);
  else if (state === 'on') await disablePush().catch(() => undefined);
  return next;
}

/**
 * At start: notifications on for this device means Web Push on too (the browser already
 * granted permission, so no prompt), refreshed at the hub in case its keys changed.
 */
export async function syncPush(): Promise<void> {
  if (notifyState() === 'on') await enablePush().catch(() => false);
}

export function useNotifyState(): NotifyState {
  return useSyncExternalStore((l) => {
    listeners.add(l);
    // Another tab of this browser may change the choice.
    window.addEventListener('storage', l);
    return () => {
      listeners.delete(l);
      window.removeEventListener('storage', l);
    };
  }, notifyState);
}

/** Shows a notification when turned on and the tab is hidden; clicking it opens the conversation. */
export function notifyIfHidden(title: string, body: string, tag: string, onOpen: () => void): void {
  if (notifyState() !== 'on' || document.visibilityState !== 'hidden') return;
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

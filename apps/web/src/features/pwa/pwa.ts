/**
 * The installable app: registers the service worker (public/sw.js), keeps the browser's
 * install prompt for the menu's "Install app" button, and drops the worker's offline copy
 * of the customer's data on sign-out (lib/offline.ts says when that copy is shown).
 */
import { createStore, useStore } from '../../lib/store';

/** The event Chromium fires when the app can be installed (not in the DOM typings). */
interface InstallPromptEvent extends Event {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

const installPrompt = createStore<InstallPromptEvent | null>(null);

/** Registers the service worker and starts listening for the install prompt. */
export function startPwa(): void {
  if ('serviceWorker' in navigator) {
    void navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined);
  }
  window.addEventListener('beforeinstallprompt', (event) => {
    event.preventDefault();
    installPrompt.set(() => event as InstallPromptEvent);
  });
  window.addEventListener('appinstalled', () => installPrompt.set(() => null));
}

/** Whether the browser offers to install the app now. */
export const useCanInstall = () => useStore(installPrompt, (p) => p !== null);

/** Shows the browser's install dialog (from a user gesture); answers whether the customer accepted. */
export async function installApp(): Promise<boolean> {
  const prompt = installPrompt.get();
  if (prompt === null) return false;
  installPrompt.set(() => null);
  await prompt.prompt();
  return (await prompt.userChoice).outcome === 'accepted';
}

/** Drops this device's copy of the customer's data (sign-out, session ended). */
export function forgetOfflineData(): void {
  if (!('serviceWorker' in navigator)) return;
  void navigator.serviceWorker.ready.then((r) => r.active?.postMessage({ type: 'forget' })).catch(() => undefined);
  if ('caches' in window) void caches.delete('confide-data-v1').catch(() => undefined);
}

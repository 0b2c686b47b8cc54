/**
 * Whether the messenger is showing its last saved state because the hub cannot be reached:
 * the browser says it is offline, a request could not leave, or the service worker answered
 * from this device's copy (it marks those answers `x-confide-offline: 1`, see public/sw.js).
 */
import { createStore, useStore } from './store';

const offline = createStore<boolean>(typeof navigator !== 'undefined' && navigator.onLine === false);

if (typeof window !== 'undefined') {
  window.addEventListener('offline', () => offline.set(() => true));
  window.addEventListener('online', () => offline.set(() => false));
}

export const useOffline = () => useStore(offline, (o) => o);

/** Called by the API client for every answer. */
export function noteAnswer(response: Response): void {
  const fromCopy = response.headers.get('x-confide-offline') === '1';
  offline.set((was) => (fromCopy ? true : was && navigator.onLine === false));
}

/** Called when a request could not reach the hub at all. */
export const noteUnreachable = (): void => offline.set(() => true);

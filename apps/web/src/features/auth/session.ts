/** Who is signed in: `undefined` while checking, `null` when signed out. */
import type { Customer } from '@confide/protocol';
import { api, isApiError } from '../../lib/api';
import { createStore, useStore } from '../../lib/store';

const session = createStore<Customer | null | undefined>(undefined);

export const useSession = () => useStore(session, (s) => s);
export const setSession = (customer: Customer | null) => session.set(() => customer);

/** Asks the hub who the session cookie belongs to. */
export async function checkSession(): Promise<void> {
  try {
    setSession((await api.me()).customer);
  } catch (err) {
    // Only a definite "not signed in" signs out; a network blip retries shortly.
    if (isApiError(err) && err.status === 401) setSession(null);
    else setTimeout(() => void checkSession(), 2000);
  }
}

export async function logOut(): Promise<void> {
  await api.logOut().catch(() => undefined);
  setSession(null);
}

/** Signs out locally if the hub says the session is gone (e.g. expired while offline). */
export async function verifySession(): Promise<void> {
  try {
    await api.me();
  } catch (err) {
    if (isApiError(err) && err.status === 401) setSession(null);
  }
}

/** Who is signed in: `undefined` while checking, `null` when signed out. */
import type { Customer } from '@confide/protocol';
import { api } from '../../lib/api';
import { sessionChecks } from '../../lib/session';
import { createStore, useStore } from '../../lib/store';
import { forgetOfflineData } from '../pwa/pwa';

const session = createStore<Customer | null | undefined>(undefined);

export const useSession = () => useStore(session, (s) => s);
export const setSession = (customer: Customer | null) => {
  // Signed out: this device's offline copy of their chats goes too.
  if (customer === null) forgetOfflineData();
  session.set(() => customer);
};

const checks = sessionChecks({ me: async () => (await api.me()).customer, logOut: api.logOut }, setSession);

/** Asks the hub who the session cookie belongs to (a network blip retries shortly). */
export const checkSession = checks.check;
/** Signs out locally if the hub says the session is gone (e.g. expired while offline). */
export const verifySession = checks.verify;
export const logOut = checks.logOut;

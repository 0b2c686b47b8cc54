/**
 * The session checks the messenger (customer) and the inbox (agent) share. Each keeps
 * who is signed in in its own store: `undefined` while checking, `null` when signed out.
 */
import { isApiError } from './api';

/** The two calls a session needs from its API. */
export interface SessionApi<T> {
  /** Who the session cookie belongs to; rejects with a 401 `ApiError` when nobody. */
  me(): Promise<T>;
  logOut(): Promise<unknown>;
}

/** What {@link sessionChecks} returns. */
export interface SessionChecks {
  /** Asks the hub who is signed in. Only a definite 401 signs out; any other failure (a network blip) asks again shortly. */
  check(): Promise<void>;
  /** Signs out locally if the hub says the session is gone (e.g. expired while offline); otherwise changes nothing. */
  verify(): Promise<void>;
  /** Tells the hub (best effort) and signs out locally. */
  logOut(): Promise<void>;
}

/** How long {@link SessionChecks.check} waits before asking again after a failure other than 401. */
export const RECHECK_MS = 2000;

/** True for the hub's answer that the session is missing or expired. */
export const isSessionGone = (err: unknown): boolean => isApiError(err) && err.status === 401;

/**
 * Session checks over one API.
 * @param set stores who is signed in (`null`: signed out).
 */
export function sessionChecks<T>(sessionApi: SessionApi<T>, set: (who: T | null) => void): SessionChecks {
  const check = async (): Promise<void> => {
    try {
      set(await sessionApi.me());
    } catch (err) {
      if (isSessionGone(err)) set(null);
      else setTimeout(() => void check(), RECHECK_MS);
    }
  };
  return {
    check,
    async verify() {
      try {
        await sessionApi.me();
      } catch (err) {
        if (isSessionGone(err)) set(null);
      }
    },
    async logOut() {
      await sessionApi.logOut().catch(() => undefined);
      set(null);
    },
  };
}

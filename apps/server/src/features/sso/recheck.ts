/**
 * The provider re-check of single sign-on sessions: each session signed in through the
 * provider keeps its refresh token sealed; when its last confirmation is older than half the
 * re-check interval (SESSION_RECHECK_MS), the hub refreshes it. `invalid_grant` (the account
 * was disabled or the grant revoked at the provider) ends the session; an unreachable
 * provider keeps it until the next check. A compare-and-set on the check time lets one
 * process do each check, so a rotating refresh token is never used twice.
 */
import type { Logger } from 'pino';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { SsoClient } from './oidc-client.js';

/** A session that signed in through the provider and holds a refresh token. */
export interface SsoSessionRow {
  idHash: string;
  sealedRefresh: string;
  checkedAt: number | null;
}

/** What the re-check needs of a surface's session table. */
export interface SsoSessionStore {
  /** Provider sessions among `idHashes` last confirmed at or before `dueBefore`. */
  due(idHashes: string[], dueBefore: number): Promise<SsoSessionRow[]>;
  /** Takes the check (compare-and-set of the check time); false when another check has it. */
  claim(row: SsoSessionRow, now: number): Promise<boolean>;
  /** Stores a rotated refresh token (sealed). */
  save(idHash: string, sealedRefresh: string): Promise<void>;
  /** Deletes the session (and announces it ended), audited. */
  end(idHash: string): Promise<void>;
}

export interface SsoRecheckDeps {
  client: SsoClient;
  secrets: SecretBox;
  store: SsoSessionStore;
  log: Logger;
  now: () => number;
  everyMs: number;
}

/** The sealing of a session's refresh token, bound to the surface and the session. */
export const refreshAad = (client: SsoClient, idHash: string) => `sso-refresh:${client.surface}:${idHash}`;

export function sealRefresh(client: SsoClient, secrets: SecretBox, idHash: string, token: string): string {
  return secrets.seal(token, refreshAad(client, idHash));
}

/** Re-checks the due provider sessions among `idHashes`; returns those that ended. */
export async function recheckSsoSessions(deps: SsoRecheckDeps, idHashes: string[]): Promise<Set<string>> {
  const ended = new Set<string>();
  if (idHashes.length === 0) return ended;
  const now = deps.now();
  for (const row of await deps.store.due(idHashes, now - deps.everyMs / 2)) {
    if (!(await deps.store.claim(row, now))) continue;
    let refresh: string;
    try {
      refresh = deps.secrets.open(row.sealedRefresh, refreshAad(deps.client, row.idHash));
    } catch {
      // A token that no longer opens (moved row, rotated key) cannot be confirmed.
      await deps.store.end(row.idHash);
      ended.add(row.idHash);
      continue;
    }
    try {
      const answer = await deps.client.confirm(refresh);
      if (!answer.alive) {
        await deps.store.end(row.idHash);
        ended.add(row.idHash);
      } else if (answer.refreshToken !== refresh) {
        await deps.store.save(row.idHash, sealRefresh(deps.client, deps.secrets, row.idHash, answer.refreshToken));
      }
    } catch (err) {
      deps.log.warn({ err, surface: deps.client.surface }, 'single sign-on re-check failed; the session is kept');
    }
  }
  return ended;
}

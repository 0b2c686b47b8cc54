/**
 * The `session.revoked` fact, published once the transaction that ended sessions commits.
 * Whoever ends sessions (customers' logout and password change, agents' sign-out and SSO
 * re-check, erasure) announces it; the live streams subscribe (features/realtime/live-sessions.ts)
 * and close the sockets whose session is gone.
 */
import type { Bus } from './bus.js';
import type { SessionKind } from './events.js';

/** What announcing needs of a write transaction (storage's `WriteTx` has it). */
export interface AfterCommit {
  afterCommit(effect: () => void): void;
}

/** Announces, once `tx` commits, that sessions of `ownerId` ended: every hub process re-checks that owner's open sockets. */
export function announceSessionsEnded(tx: AfterCommit, bus: Bus, kind: SessionKind, ownerId: string): void {
  tx.afterCommit(() => bus.publish({ name: 'session.revoked', kind, ownerId }));
}

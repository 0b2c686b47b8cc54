/**
 * The purposes gateway's gate: every opening of customer content first passes `check`
 * (a purpose from the closed list and a named actor, else refused and reported), and every
 * successful opening is reported; the audit log observes both (privacy/privacy.ts).
 */
import { isPurpose, PurposeDeniedError, type Access } from '../purposes.js';

/** Sealed columns; part of the associated data. */
export type SealedColumn = 'messages.body' | 'webhook_outbox.payload';

/** What the gateway tells the audit log: ids and purposes only. */
export type AccessEvent =
  | { kind: 'open'; access: Access; customerId: string; conversationId: string; column: SealedColumn | 'blob' }
  | { kind: 'denied'; purpose: string; actor: string; customerId: string | null };

export class AccessGate {
  readonly #observers: Array<(event: AccessEvent) => void> = [];

  /** Subscribes to access events (the audit log). */
  observe(fn: (event: AccessEvent) => void): void {
    this.#observers.push(fn);
  }

  /** Refuses (and reports) an access whose purpose is not in the closed list. @throws PurposeDeniedError */
  check(access: Access, customerId: string | null): void {
    const purpose: unknown = (access as { purpose?: unknown } | undefined)?.purpose;
    if (isPurpose(purpose) && typeof access.actor === 'string' && access.actor !== '') return;
    this.#emit({ kind: 'denied', purpose: String(purpose), actor: String(access?.actor), customerId });
    throw new PurposeDeniedError(`Content access refused: purpose ${JSON.stringify(purpose)} is not allowed`);
  }

  /** Reports a successful opening of a conversation's content. */
  opened(access: Access, customerId: string, conversationId: string, column: SealedColumn | 'blob'): void {
    this.#emit({ kind: 'open', access, customerId, conversationId, column });
  }

  #emit(event: AccessEvent): void {
    for (const fn of this.#observers) {
      try {
        fn(event);
      } catch {
        // Observers must not break reads; the audit log reports its own failures.
      }
    }
  }
}

/**
 * What features tell the privacy service, so that privacy/ imports no feature: each
 * feature that holds a customer's data registers hooks at assembly (app.ts), and erasure,
 * export, retention and the operator commands call them. The privacy layer owns the
 * vocabulary (these interfaces, the report shapes); features implement it.
 */
import type { ExportedAttachment } from '@confide/protocol';
import type { WriteTx } from '../storage/write-queue.js';
import type { Access } from './purposes.js';

/** What a feature did inside an erasure's transaction. */
export interface ErasureShare {
  /** Attachment files that were the customer's alone, removed (counted in the report). */
  attachments?: number;
  /** Runs once the erasure has committed (deleting stored files, for instance). */
  afterCommit?: () => Promise<void>;
}

export type { ExportedAttachment } from '@confide/protocol';

/** File bytes embedded so far in one export, against its limit (shared by every conversation). */
export interface EmbedBudget {
  embedded: number;
  readonly limit: number;
}

/** The report of re-sealing legacy attachment files (`confide keys rekey-attachments`). */
export interface RekeyReport {
  /** Files re-sealed under their own key. */
  rekeyed: number;
  /** Legacy rows whose blob is gone (nothing to protect). */
  missing: number;
  /** Legacy files that could not be read or re-sealed (see the log). */
  failed: number;
  /** Legacy rows left, including `missing` ones. */
  remaining: number;
  /** Clear file names sealed under their file's key (re-sealed files included). */
  namesSealed: number;
}

/** One feature's hooks; every member is optional. */
export interface PrivacyHooks {
  /** The customer with this (lower-case) username, for operator commands. */
  customerIdByUsername?(username: string): Promise<string | undefined>;
  /** The customer's conversation with a page, if any. */
  conversationWith?(customerId: string, pageId: string): Promise<string | undefined>;
  /** Inside a customer's erasure, before their rows are deleted (their keys are gone already). */
  customerErased?(
    tx: WriteTx,
    erased: { customerId: string; conversationIds: readonly string[] },
  ): Promise<ErasureShare | void>;
  /** Inside the erasure of one conversation's history, before its messages are deleted. */
  conversationErased?(
    tx: WriteTx,
    erased: { customerId: string; conversationId: string },
  ): Promise<ErasureShare | void>;
  /** Retention: messages created before `before` were deleted; returns the files removed with them. */
  messagesExpired?(before: number, batch: number): Promise<{ attachments: number }>;
  /** The export's attachments of one conversation, opened for `access`. */
  exportAttachments?(
    customerId: string,
    conversationId: string,
    access: Access,
    budget: EmbedBudget,
  ): Promise<ExportedAttachment[]>;
  /** Re-seals files stored before per-file keys. */
  rekeyLegacyFiles?(): Promise<RekeyReport>;
}

/** What the erasure hooks did together: files removed, and the work to run after commit. */
export interface ErasureOutcome {
  attachments: number;
  afterCommit(): Promise<void>;
}

/** The hooks registered with the privacy service, called in registration order. */
export class PrivacyHookRegistry {
  readonly #hooks: PrivacyHooks[] = [];

  register(...hooks: PrivacyHooks[]): void {
    this.#hooks.push(...hooks);
  }

  async customerIdByUsername(username: string): Promise<string | undefined> {
    for (const h of this.#hooks) {
      const id = await h.customerIdByUsername?.(username);
      if (id !== undefined) return id;
    }
    return undefined;
  }

  async conversationWith(customerId: string, pageId: string): Promise<string | undefined> {
    for (const h of this.#hooks) {
      const id = await h.conversationWith?.(customerId, pageId);
      if (id !== undefined) return id;
    }
    return undefined;
  }

  async customerErased(
    tx: WriteTx,
    erased: { customerId: string; conversationIds: readonly string[] },
  ): Promise<ErasureOutcome> {
    const shares: Array<ErasureShare | void> = [];
    for (const h of this.#hooks) shares.push(await h.customerErased?.(tx, erased));
    return outcome(shares);
  }

  async conversationErased(
    tx: WriteTx,
    erased: { customerId: string; conversationId: string },
  ): Promise<ErasureOutcome> {
    const shares: Array<ErasureShare | void> = [];
    for (const h of this.#hooks) shares.push(await h.conversationErased?.(tx, erased));
    return outcome(shares);
  }

  async messagesExpired(before: number, batch: number): Promise<{ attachments: number }> {
    let attachments = 0;
    for (const h of this.#hooks) attachments += (await h.messagesExpired?.(before, batch))?.attachments ?? 0;
    return { attachments };
  }

  async exportAttachments(
    customerId: string,
    conversationId: string,
    access: Access,
    budget: EmbedBudget,
  ): Promise<ExportedAttachment[]> {
    const all: ExportedAttachment[] = [];
    for (const h of this.#hooks)
      all.push(...((await h.exportAttachments?.(customerId, conversationId, access, budget)) ?? []));
    return all;
  }

  /** The feature that re-seals legacy files, if one registered. */
  get rekeyLegacyFiles(): (() => Promise<RekeyReport>) | undefined {
    const h = this.#hooks.find((x) => x.rekeyLegacyFiles !== undefined);
    return h?.rekeyLegacyFiles === undefined
      ? undefined
      : () => (h.rekeyLegacyFiles as () => Promise<RekeyReport>).call(h);
  }
}

function outcome(shares: ReadonlyArray<ErasureShare | void>): ErasureOutcome {
  const done = shares.filter((s): s is ErasureShare => s !== undefined);
  return {
    attachments: done.reduce((n, s) => n + (s.attachments ?? 0), 0),
    afterCommit: async () => {
      for (const s of done) await s.afterCommit?.();
    },
  };
}

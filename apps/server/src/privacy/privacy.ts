/**
 * The hub's privacy service: the audit log (content accesses reported by the vault,
 * sources swept by the collector, signed checkpoints, verification), erasure of an
 * account or of one conversation's history, and the customer's export. Features take
 * their part through the hooks they register (hooks.ts); privacy imports no feature.
 */
import { PlatformError } from '@confide/protocol';
import type { HubContext } from '../context.js';
import { SigningKeys } from '../crypto/signing-keys.js';
import { collectAudit } from './audit-collector.js';
import { AuditCheckpoints } from './audit-checkpoints.js';
import { appendAudit, type AuditEntry } from './audit-log.js';
import { verifyAudit, type VerifyResult } from './audit-verify.js';
import { FileWitness, MemoryWitness, type AuditWitness } from './audit-witness.js';
import { readAccessLog, type AccessLogEntry } from './access-log.js';
import {
  customerErasedEntry,
  eraseConversationHistory,
  eraseCustomer,
  historyErasedEntry,
  type ErasureReport,
  type HistoryErasureReport,
} from './erasure.js';
import { buildExport, type CustomerExport } from './export.js';
import { PrivacyHookRegistry, type PrivacyHooks, type RekeyReport } from './hooks.js';
import { sweepRetention, type RetentionReport } from './retention.js';
import type { AccessEvent } from './vault.js';

export type { AccessLogEntry } from './access-log.js';

/** How often buffered accesses are written and sources swept, in milliseconds. */
const FLUSH_MS = 2_000;
/** Buffered accesses that trigger an early flush. */
const FLUSH_AT = 500;
/** How often the worker role sweeps expired content, in milliseconds. */
const RETENTION_MS = 15 * 60_000;

export class Privacy {
  readonly #ctx: HubContext;
  /** What features do on erasure, export and retention (attachment files, live streams, look-ups). */
  readonly hooks = new PrivacyHookRegistry();
  #pending = new Map<string, { entry: AuditEntry; count: number }>();
  #timer: NodeJS.Timeout | undefined;
  #retentionTimer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | null = null;
  /** Signed checkpoints of the audit chain and their witness outside the database. */
  readonly checkpoints: AuditCheckpoints;
  /** Whether this process appended audit records (it then signs the head when it stops). */
  #appended = false;

  constructor(ctx: HubContext, options: PrivacyOptions = {}) {
    this.#ctx = ctx;
    this.checkpoints = new AuditCheckpoints(ctx, options.witness ?? new MemoryWitness());
    this.hooks.register(...(options.hooks ?? []));
    ctx.storage.vault.observe((event) => this.#onAccess(event));
  }

  /** Loads the signing key and starts the periodic flush (and, for the worker role, the retention sweep). */
  async start(options: { retention?: boolean } = {}): Promise<void> {
    await SigningKeys.of(this.#ctx).ensure();
    const { RETENTION_MESSAGE_DAYS, RETENTION_WEBHOOK_DAYS } = this.#ctx.config;
    if (options.retention === true && (RETENTION_MESSAGE_DAYS > 0 || RETENTION_WEBHOOK_DAYS > 0)) {
      this.#retentionTimer = setInterval(
        () =>
          void this.sweepRetention().catch((err: unknown) => this.#ctx.log.error({ err }, 'retention sweep failed')),
        RETENTION_MS,
      );
      this.#retentionTimer.unref();
    }
    this.#timer = setInterval(
      () => void this.flush().catch((err: unknown) => this.#ctx.log.error({ err }, 'audit flush failed')),
      FLUSH_MS,
    );
    this.#timer.unref();
  }

  /** Writes what is pending, signs the head if records wait for a checkpoint, and stops the timer. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    if (this.#retentionTimer !== undefined) clearInterval(this.#retentionTimer);
    this.#timer = undefined;
    this.#retentionTimer = undefined;
    await this.flush().catch((err: unknown) => this.#ctx.log.error({ err }, 'audit flush failed'));
    // A clean stop leaves the records this process wrote covered: no tail waits for a process
    // that is gone. A process that wrote nothing (`confide audit verify`) signs nothing.
    try {
      if (this.#appended && (await this.checkpoints.pending())) await this.checkpoint();
    } catch (err) {
      this.#ctx.log.error({ err }, 'audit checkpoint failed');
    }
  }

  /** Appends buffered accesses, sweeps the followed sources, and signs a checkpoint when due. */
  async flush(): Promise<void> {
    while (this.#flushing !== null) await this.#flushing;
    this.#flushing = this.#flushOnce();
    try {
      await this.#flushing;
    } finally {
      this.#flushing = null;
    }
  }

  async #flushOnce(): Promise<void> {
    const taken = this.#pending;
    this.#pending = new Map();
    const now = this.#ctx.now();
    try {
      await this.#ctx.storage.writes.run(async (tx) => {
        for (const { entry, count } of taken.values())
          await appendAudit(tx.db, { ...entry, details: { ...entry.details, count } });
        const collected = await collectAudit(tx.db, now);
        if (taken.size > 0 || collected > 0) this.#appended = true;
      });
    } catch (err) {
      // Nothing was written: the accesses go back, to be recorded by the next flush, merged
      // with those that came meanwhile (an audit record is never dropped for a failed write).
      for (const [key, item] of taken) {
        const newer = this.#pending.get(key);
        if (newer !== undefined) newer.count += item.count;
        else this.#pending.set(key, item);
      }
      throw err;
    }
    if (await this.checkpoints.due(now)) await this.checkpoint();
  }

  /**
   * Signs (seq, hash) of the chain head with the hub's KEK-anchored key and witnesses it;
   * returns the seq (0 for an empty log).
   */
  checkpoint(): Promise<number> {
    return this.checkpoints.sign();
  }

  /**
   * Verifies the chain, every checkpoint, coverage, the configured witness and any extra
   * witness files, and the checkpoint heads of customers' receipts (audit-verify.ts).
   * Read-only: it signs nothing (flush first to include what is pending).
   */
  async verify(
    options: { witnessFiles?: readonly string[]; receipts?: readonly string[] } = {},
  ): Promise<VerifyResult> {
    const keys = SigningKeys.of(this.#ctx);
    const witnesses = [this.checkpoints.witness, ...(options.witnessFiles ?? []).map((f) => new FileWitness(f))];
    return verifyAudit(this.#ctx.storage.db, {
      jwks: await keys.jwks(),
      untrustedKids: await keys.untrustedKids(),
      now: this.#ctx.now(),
      witnesses: await Promise.all(witnesses.map((w) => w.read())),
      receipts: options.receipts ?? [],
    });
  }

  /** Appends one record now (exports, erasures, key rotation). */
  async record(entry: Omit<AuditEntry, 'at'>): Promise<void> {
    await this.#ctx.storage.writes.run((tx) => appendAudit(tx.db, { ...entry, at: this.#ctx.now() }));
    this.#appended = true;
  }

  // ---- erasure -----------------------------------------------------------------------

  /**
   * The customer deletes their own account, once `confirm` has checked their password
   * (`Accounts.confirmPassword`: rate limited with their logins).
   */
  async deleteOwnAccount(customerId: string, confirm: () => Promise<void>): Promise<ErasureReport> {
    await confirm();
    return this.#erase(customerId, `customer:${customerId}`);
  }

  /** An operator deletes a customer (`confide customer delete`). */
  async deleteCustomerByUsername(username: string): Promise<ErasureReport> {
    return this.#erase(await this.#customerIdByUsername(username), 'admin');
  }

  #erase(customerId: string, actor: string): Promise<ErasureReport> {
    return eraseCustomer(this.#ctx, this.hooks, customerId, async (tx, report) => {
      this.#appended = true;
      await appendAudit(tx.db, customerErasedEntry(report, actor, this.#ctx.now()));
    });
  }

  /** Erases the history of the customer's conversation with a page (unlink with `erase_history`). */
  async eraseHistory(customerId: string, pageId: string): Promise<HistoryErasureReport> {
    const conversationId = await this.hooks.conversationWith(customerId, pageId);
    if (conversationId === undefined) throw new PlatformError('NOT_FOUND');
    return eraseConversationHistory(this.#ctx, this.hooks, customerId, conversationId, async (tx, report) => {
      this.#appended = true;
      await appendAudit(tx.db, historyErasedEntry(report, customerId, this.#ctx.now()));
    });
  }

  /**
   * Re-seals attachment files stored before per-file keys (`confide keys rekey-attachments`).
   * When no readable legacy file is left, the hub-wide blob key is destroyed, so older
   * copies of the blob store no longer open with the keystore. Audited.
   */
  async rekeyAttachments(actor = 'admin'): Promise<RekeyReport & { legacyKeyDestroyed: boolean }> {
    const rekey = this.hooks.rekeyLegacyFiles;
    if (rekey === undefined) throw new Error('This hub has no attachment store');
    const report = await rekey();
    const legacyKeyDestroyed =
      report.failed === 0 &&
      report.remaining === report.missing &&
      (await this.#ctx.storage.vault.eraseLegacyBlobKey()) > 0;
    await this.record({
      actor,
      action: 'attachments.rekeyed',
      details: { ...report, legacy_key_destroyed: legacyKeyDestroyed },
    });
    return { ...report, legacyKeyDestroyed };
  }

  /** Deletes content past its retention period (RETENTION_MESSAGE_DAYS, RETENTION_WEBHOOK_DAYS). */
  sweepRetention(): Promise<RetentionReport> {
    return sweepRetention(this.#ctx, this.hooks);
  }

  // ---- export ------------------------------------------------------------------------

  /** Everything the hub holds about the customer, opened for `customer_export`. */
  async exportCustomer(customerId: string, actor = `customer:${customerId}`): Promise<CustomerExport> {
    await this.flush();
    const data = await buildExport(this.#ctx, customerId, { purpose: 'customer_export', actor }, this.hooks);
    await this.record({
      actor,
      action: 'customer.export',
      customerId,
      purpose: 'customer_export',
      details: { conversations: data.conversations.length },
    });
    return data;
  }

  /**
   * The newest audit records about the customer (who accessed what, for which purpose):
   * ids, actions and purposes only, never content.
   */
  async accessLog(customerId: string, limit: number): Promise<AccessLogEntry[]> {
    await this.flush();
    return readAccessLog(this.#ctx.storage.db, customerId, limit);
  }

  async exportByUsername(username: string): Promise<CustomerExport> {
    return this.exportCustomer(await this.#customerIdByUsername(username), 'admin');
  }

  async #customerIdByUsername(username: string): Promise<string> {
    const id = await this.hooks.customerIdByUsername(username.toLowerCase());
    if (id === undefined) throw new PlatformError('NOT_FOUND', { message: `No customer ${username}` });
    return id;
  }

  // ---- content accesses ----------------------------------------------------------------

  #onAccess(event: AccessEvent): void {
    const entry: AuditEntry =
      event.kind === 'open'
        ? {
            at: this.#ctx.now(),
            actor: event.access.actor,
            action: 'content.access',
            customerId: event.customerId,
            target: `conversation:${event.conversationId}`,
            purpose: event.access.purpose,
            details: { column: event.column },
          }
        : {
            at: this.#ctx.now(),
            actor: event.actor,
            action: 'content.denied',
            customerId: event.customerId,
            purpose: event.purpose.slice(0, 64),
          };
    // Accesses within one flush interval are aggregated per actor, purpose and conversation.
    const key = JSON.stringify([
      entry.action,
      entry.actor,
      entry.purpose,
      entry.customerId,
      entry.target,
      entry.details,
    ]);
    const hit = this.#pending.get(key);
    if (hit !== undefined) hit.count += 1;
    else this.#pending.set(key, { entry, count: 1 });
    if (event.kind === 'denied' || this.#pending.size >= FLUSH_AT) void this.flush().catch(() => undefined);
  }
}

export interface PrivacyOptions {
  /** Where signed checkpoints are witnessed outside the database (default: in memory). */
  witness?: AuditWitness;
  /** The features' erase / export / retention hooks (more can be registered on `hooks`). */
  hooks?: readonly PrivacyHooks[];
}

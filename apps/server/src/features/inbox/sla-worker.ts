/**
 * The SLA worker (worker role): every poll, the timers due and still unmet are marked
 * breached, each with an audit record (ids only) and an `inbox.changed` event (`sla_breached`)
 * that the page's agents' streams pick up. The update is conditional on "not yet breached,
 * not met", so several worker processes record a breach once. The clock is the context's.
 */
import type { HubContext } from '../../context.js';
import { appendAudit } from '../../privacy/audit-log.js';
import { publishInboxChange } from './publish.js';

const BATCH = 100;

export class SlaWorker {
  readonly #ctx: HubContext;
  readonly #pollMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<unknown> = Promise.resolve();
  #stopped = false;

  constructor(ctx: HubContext, pollMs: number) {
    this.#ctx = ctx;
    this.#pollMs = pollMs;
  }

  start(): this {
    if (this.#pollMs > 0) this.#schedule();
    return this;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running.catch(() => undefined);
  }

  /** Records every breach due now; answers how many were recorded. */
  tick(): Promise<number> {
    const run = this.#tick();
    this.#running = run;
    return run;
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      void this.tick()
        .catch((err: unknown) => this.#ctx.log.warn({ err }, 'sla worker tick failed'))
        .finally(() => {
          if (!this.#stopped) this.#schedule();
        });
    }, this.#pollMs);
    this.#timer.unref();
  }

  async #tick(): Promise<number> {
    const now = this.#ctx.now();
    const due = await this.#ctx.storage.db
      .selectFrom('inbox_sla_timers as t')
      .innerJoin('conversations as c', 'c.id', 't.conversation_id')
      .select(['t.conversation_id', 't.kind', 't.page_id', 't.team_id', 't.due_at', 'c.customer_id'])
      .where('t.due_at', '<=', now)
      .where('t.met_at', 'is', null)
      .where('t.breached_at', 'is', null)
      .orderBy('t.due_at')
      .limit(BATCH)
      .execute();
    if (due.length === 0) return 0;
    return this.#ctx.storage.writes.run(async (tx) => {
      let breached = 0;
      for (const timer of due) {
        const res = await tx.db
          .updateTable('inbox_sla_timers')
          .set({ breached_at: now })
          .where('conversation_id', '=', timer.conversation_id)
          .where('kind', '=', timer.kind)
          .where('met_at', 'is', null)
          .where('breached_at', 'is', null)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) continue;
        breached += 1;
        await appendAudit(tx.db, {
          at: now,
          actor: 'worker',
          action: 'inbox.sla_breached',
          customerId: timer.customer_id,
          target: timer.conversation_id,
          details: { page: timer.page_id, team: timer.team_id, kind: timer.kind, due_at: timer.due_at },
        });
        publishInboxChange(tx, this.#ctx.bus, timer.page_id, timer.conversation_id, 'sla_breached');
      }
      return breached;
    });
  }
}

/** Starts the SLA worker of a process that runs the worker role. */
export const startSlaWorker = (ctx: HubContext): SlaWorker => new SlaWorker(ctx, ctx.config.WEBHOOK_POLL_MS).start();

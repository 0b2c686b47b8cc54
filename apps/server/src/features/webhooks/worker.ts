/**
 * The webhook delivery worker. All state lives in `webhook_outbox` and `apps`, so a
 * restart loses nothing: the worker only decides *when* to look. It wakes on the bus
 * event `webhook.enqueued` and polls for due retries. Apps are delivered concurrently, and
 * each app with up to `WEBHOOK_BATCHES_PER_APP` batches in flight: order is per conversation,
 * and a claim (claim.ts) never gives two batches in flight events of the same conversation,
 * so a slow or failing receiver only holds up its own app. A claimed batch is leased for
 * `WEBHOOK_LEASE_MS` and the lease is renewed while the POST is in flight, so a live worker
 * keeps its batch however slow the receiver, and a killed one's batch is taken over by
 * another worker about one lease later.
 */
import { randomBytes } from 'node:crypto';
import type { HubContext } from '../../context.js';
import type { Pages } from '../pages/pages.js';
import { retryDelayMs } from './backoff.js';
import { claimBatches } from './claim.js';
import {
  countFailingApps,
  deliveredFrame,
  deliveryJobOptions,
  findDueApps,
  recordFailure,
  recordSuccess,
  type ClaimedBatch,
} from './delivery-store.js';
import { holdLease } from './worker-lease.js';
import { appendToTimeline } from '../../timeline/index.js';
import { postBatch } from './worker-post.js';
import type { PostWebhookResult } from './post-webhook.js';
import { recordAttempt, type AttemptInput } from './attempt-log.js';

export interface WebhookWorkerOptions {
  /** Lease owner name; unique per worker. */
  owner?: string;
  /** Random source for backoff jitter (tests). */
  random?: () => number;
}

export class WebhookWorker {
  readonly owner: string;
  readonly #ctx: HubContext;
  readonly #pages: Pages;
  readonly #random: () => number;
  /** The drain loop of each app being delivered right now. */
  readonly #active = new Map<string, Promise<void>>();
  /** Apps woken while their loop was running: look again when it ends. */
  readonly #again = new Set<string>();
  /** Apps backing off after a failure, until when: a bus wake-up before then would find nothing due. */
  readonly #backoff = new Map<string, number>();
  #scanning: Promise<void> | null = null;
  #rescan = false;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #stopped = false;

  constructor(ctx: HubContext, pages: Pages, options: WebhookWorkerOptions = {}) {
    this.#ctx = ctx;
    this.#pages = pages;
    this.owner = options.owner ?? `worker-${process.pid}-${randomBytes(4).toString('hex')}`;
    this.#random = options.random ?? Math.random;
  }

  /** Subscribes to the bus, starts polling and delivers whatever is already due. */
  start(): this {
    this.#unsubscribe = this.#ctx.bus.subscribe('webhook.enqueued', (event) => {
      if (event.name === 'webhook.enqueued') this.#wake(event.appId);
    });
    this.#timer = setInterval(() => void this.#scan(), this.#ctx.config.WEBHOOK_POLL_MS);
    this.#timer.unref();
    void this.#scan();
    void this.#refreshGauge();
    return this;
  }

  /** Stops taking work; attempts in flight finish and record their outcome. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.#scanning;
    while (this.#active.size > 0) await Promise.allSettled([...this.#active.values()]);
  }

  /** Delivers everything due now and resolves when no app is in flight (CLI, tests). */
  async runOnce(): Promise<void> {
    await this.#scan();
    while (this.#active.size > 0) await Promise.allSettled([...this.#active.values()]);
  }

  /** Whether the app failed and waits for its retry (another conversation's head may look due). */
  #backingOff(appId: string): boolean {
    const until = this.#backoff.get(appId);
    if (until !== undefined && this.#ctx.now() < until) return true;
    this.#backoff.delete(appId);
    return false;
  }

  #wake(appId: string): void {
    if (this.#stopped || this.#backingOff(appId)) return;
    if (this.#active.has(appId)) this.#again.add(appId);
    else if (this.#active.size < this.#ctx.config.WEBHOOK_CONCURRENCY) this.#startApp(appId);
    else void this.#scan();
  }

  #scan(): Promise<void> {
    if (this.#scanning !== null) {
      this.#rescan = true;
      return this.#scanning;
    }
    this.#scanning = (async () => {
      do {
        this.#rescan = false;
        await this.#scanOnce();
      } while (this.#rescan && !this.#stopped);
    })().finally(() => (this.#scanning = null));
    return this.#scanning;
  }

  async #scanOnce(): Promise<void> {
    if (this.#stopped) return;
    const room = this.#ctx.config.WEBHOOK_CONCURRENCY - this.#active.size;
    if (room <= 0) return;
    let due: string[];
    try {
      due = await findDueApps(this.#ctx.storage.db, this.#ctx.now(), room + this.#active.size);
    } catch (err) {
      this.#ctx.log.error({ err }, 'webhook worker: cannot read the outbox');
      return;
    }
    for (const appId of due) {
      if (this.#active.size >= this.#ctx.config.WEBHOOK_CONCURRENCY) break;
      if (!this.#active.has(appId) && !this.#backingOff(appId)) this.#startApp(appId);
    }
  }

  #startApp(appId: string): void {
    const loop = this.#drainApp(appId)
      .catch((err: unknown) => this.#ctx.log.error({ err, appId }, 'webhook worker: delivery loop failed'))
      .finally(() => {
        this.#active.delete(appId);
        if (this.#again.delete(appId) && !this.#stopped) this.#startApp(appId);
      });
    this.#active.set(appId, loop);
  }

  /**
   * Delivers an app's due events until it is empty, failing or not due, with up to
   * `WEBHOOK_BATCHES_PER_APP` batches in flight: each claim tops them up (one claim at a time
   * per app), and a batch that ends makes room for the next claim. After a failure no new
   * batch is claimed (the app backs off); those in flight finish and record their outcome.
   */
  async #drainApp(appId: string): Promise<void> {
    const perApp = this.#ctx.config.WEBHOOK_BATCHES_PER_APP;
    const inFlight = new Set<Promise<void>>();
    let stop = false;
    while (!this.#stopped && !stop) {
      const room = perApp - inFlight.size;
      const batches = room > 0 ? await this.#claim(appId, room) : [];
      if (batches.length > 0) this.#again.delete(appId);
      for (const batch of batches) {
        const delivery: Promise<void> = this.#deliverLeased(batch)
          .then((delivered) => void (stop ||= !delivered))
          .finally(() => inFlight.delete(delivery));
        inFlight.add(delivery);
      }
      if (inFlight.size === 0) return;
      // Claim again once a batch ends: it frees room, and its conversations.
      await Promise.race(inFlight);
    }
    while (inFlight.size > 0) await Promise.race(inFlight);
  }

  #claim(appId: string, room: number): Promise<ClaimedBatch[]> {
    const { config, storage } = this.#ctx;
    const limit = config.WEBHOOK_BATCH_SIZE;
    return storage.writes.run((tx) =>
      claimBatches(tx, {
        appId,
        owner: this.owner,
        now: this.#ctx.now(),
        leaseMs: config.WEBHOOK_LEASE_MS,
        limit,
        batches: room,
        // Rows in flight and the later rows of their conversations take room in the window.
        window: limit * (config.WEBHOOK_BATCHES_PER_APP + 1),
      }),
    );
  }

  /** Delivers a claimed batch under its lease; true when it was delivered. */
  async #deliverLeased(batch: ClaimedBatch): Promise<boolean> {
    const lease = holdLease(this.#ctx, batch);
    try {
      return await this.#deliver(batch, lease.signal);
    } catch (err) {
      // Its rows stay leased until the lease runs out, then are claimed and delivered again.
      this.#ctx.log.error({ err, appId: batch.appId }, 'webhook worker: delivery failed');
      return false;
    } finally {
      await lease.release();
    }
  }

  /** Posts one batch and records the outcome; true when it was delivered. */
  async #deliver(batch: ClaimedBatch, leaseLost: AbortSignal): Promise<boolean> {
    const { metrics, log, bus } = this.#ctx;
    const result = await postBatch(this.#ctx, this.#pages, batch, leaseLost, this.owner);
    // Another worker owns the batch now and records its outcome.
    if (!result.ok && leaseLost.aborted) return false;
    const now = this.#ctx.now();
    metrics.webhookDeliveries.inc({ result: result.ok ? 'success' : 'failure' });
    metrics.webhookLatency.observe(
      { page_id: batch.pageId, result: result.ok ? 'success' : 'failure' },
      result.latencyMs / 1000,
    );

    if (result.ok) {
      this.#backoff.delete(batch.appId);
      const { recovered } = await this.#ctx.storage.writes.run(async (tx) => {
        await recordAttempt(tx.db, this.#attemptOf(batch, result, now));
        const success = await recordSuccess(tx, batch, now);
        // The customer's streams learn that the page's app received the messages.
        await appendToTimeline(
          tx,
          bus,
          success.receipts.map((r) => deliveredFrame(r, now)),
        );
        return success;
        // Its receipts' events join the transaction's set-based batch; their customers' rows are its partition.
      }, deliveryJobOptions(batch));
      if (recovered) {
        log.info({ appId: batch.appId, pageId: batch.pageId }, 'webhook delivery recovered');
        await this.#refreshGauge();
      }
      return true;
    }

    await this.#failed(batch, result, now);
    return false;
  }

  /** Schedules the retry, moves the app's failure clock and says so in the log. */
  async #failed(batch: ClaimedBatch, result: PostWebhookResult & { ok: false }, now: number): Promise<void> {
    const { config, log } = this.#ctx;
    const delay = retryDelayMs(batch.attempts + 1, {
      baseMs: config.WEBHOOK_RETRY_BASE_MS,
      capMs: config.WEBHOOK_RETRY_CAP_MS,
      random: this.#random,
    });
    this.#backoff.set(batch.appId, now + delay);
    const outcome = await this.#ctx.storage.writes.run(async (tx) => {
      await recordAttempt(tx.db, this.#attemptOf(batch, result, now));
      return recordFailure(tx, batch, {
        now,
        error: result.error,
        retryDelayMs: delay,
        alertAfterMs: config.WEBHOOK_ALERT_AFTER_MS,
        disableAfterMs: config.WEBHOOK_DISABLE_AFTER_MS,
      });
    });
    const facts = {
      appId: batch.appId,
      pageId: batch.pageId,
      error: result.error,
      failingSince: new Date(outcome.failingSince).toISOString(),
    };
    log.debug(facts, 'webhook delivery failed');
    if (outcome.alerted)
      log.warn(facts, `webhook failing for ${Math.round((now - outcome.failingSince) / 60_000)} minutes`);
    if (outcome.disabled)
      log.warn(facts, 'webhook disabled after failing too long; events are kept until `confide webhook enable`');
    if (outcome.alerted || outcome.disabled) await this.#refreshGauge();
  }

  #attemptOf(batch: ClaimedBatch, result: PostWebhookResult, now: number): AttemptInput {
    return {
      appId: batch.appId,
      kind: 'delivery',
      now,
      eventIds: batch.events.map((e) => e.id),
      attempt: batch.attempts + 1,
      result,
    };
  }

  async #refreshGauge(): Promise<void> {
    try {
      this.#ctx.metrics.webhookFailingApps.set(await countFailingApps(this.#ctx.storage.db));
    } catch {
      // A metrics refresh must never break delivery.
    }
  }
}

/** Starts the worker that runs inside the hub when SERVICES includes `worker`. */
export function startWebhookWorker(ctx: HubContext, pages: Pages): WebhookWorker {
  return new WebhookWorker(ctx, pages).start();
}

/**
 * The push worker (worker role). Pushes are rows (schedule.ts), so they survive restarts;
 * the shared poll loop (storage/polling-worker.ts) leases each before it is worked on, so
 * several hub processes never send one twice. For each due push it decides, in order:
 *   1. the message is gone, read, answered or closed → nothing to push;
 *   2. the case has had the policy's most contacts, counted (features/escalation) → nothing;
 *      first look (`presence`) and the customer has a socket open here (or we cannot know,
 *      the realtime role running elsewhere) → look again after the policy's push delay (`unread`);
 *   3. the category is no longer granted, or the customer keeps it off push → nothing;
 *   4. otherwise send: 2xx done; 404/410 the device is gone (removed with its pushes);
 *      5xx/429/timeout retried with backoff until the push's TTL; other 4xx dropped.
 * Every attempt is audited (channel, category, page, outcome: never content).
 */
import type { HubContext } from '../../context.js';
import { policyFor } from '../escalation/policies.js';
import { mayContact, PUSH_STEP, recordContact } from '../escalation/contacts.js';
import { appendAudit } from '../../privacy/audit-log.js';
import { retryDelayMs } from '../webhooks/backoff.js';
import { PollingWorker } from '../../storage/polling-worker.js';
import { mintActionToken, pushActions, type PushAction } from './actions.js';
import { deliveryOf, pushPayload } from './payload.js';
import type { PushOutcome, PushSender } from './sender.js';
import { removeDevices, type PushSubscriptions } from './subscriptions.js';

/** Whether the customer has the app open: true/false when this process knows, undefined when it cannot. */
export type Presence = (customerId: string) => boolean | undefined;

export interface PushWorkerOptions {
  subscriptions: PushSubscriptions;
  send: PushSender;
  presence: Presence;
  /** Poll interval; 0 = no timer (tests call `tick`). */
  pollMs: number;
}

const BATCH = 50;
const LEASE_MS = 30_000;
/** Spent and expired action tokens are kept this long (a late press gets "expired", not "not valid"). */
const TOKEN_KEEP_MS = 86_400_000;
const TOKEN_SWEEP_MS = 3_600_000;

type Job = {
  id: string;
  customer_id: string;
  conversation_id: string;
  page_id: string;
  message_mid: string;
  message_at: number;
  subscription_id: string;
  category: string;
  stage: 'presence' | 'unread';
  attempts: number;
};

export class PushWorker {
  readonly #ctx: HubContext;
  readonly #o: PushWorkerOptions;
  readonly #poll: PollingWorker;
  #lastSweep = 0;

  constructor(ctx: HubContext, options: PushWorkerOptions) {
    this.#ctx = ctx;
    this.#o = options;
    this.#poll = new PollingWorker({
      name: 'push',
      storage: ctx.storage,
      log: ctx.log,
      now: ctx.now,
      table: 'push_jobs',
      pollMs: options.pollMs,
      batch: BATCH,
      leaseMs: LEASE_MS,
      work: (id) => this.#workOne(id),
      idle: (now) => this.#sweepTokens(now),
    });
  }

  start(): this {
    this.#poll.start();
    return this;
  }

  stop(): Promise<void> {
    return this.#poll.stop();
  }

  /** Works every push due now; answers how many were looked at. */
  tick(): Promise<number> {
    return this.#poll.tick();
  }

  /** Spent and expired action tokens go once a while, on a round with nothing due. */
  async #sweepTokens(now: number): Promise<void> {
    if (now - this.#lastSweep < TOKEN_SWEEP_MS) return;
    this.#lastSweep = now;
    await this.#ctx.storage.writes.run((tx) =>
      tx.db
        .deleteFrom('push_action_tokens')
        .where('expires_at', '<', now - TOKEN_KEEP_MS)
        .execute(),
    );
  }

  async #workOne(id: string): Promise<void> {
    const row = await this.#ctx.storage.db.selectFrom('push_jobs').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) return;
    await this.#work({ ...row, message_at: Number(row.message_at), attempts: Number(row.attempts) });
  }

  async #work(job: Job): Promise<void> {
    const db = this.#ctx.storage.db;
    const now = this.#ctx.now();
    const message = await db
      .selectFrom('messages as m')
      .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
      .select(['m.answered_button', 'm.closed_at', 'm.awaits_answer', 'm.body', 'c.customer_read_wm', 'c.customer_id'])
      .where('m.mid', '=', job.message_mid)
      .executeTakeFirst();
    const settled =
      message === undefined ||
      message.customer_id !== job.customer_id ||
      message.answered_button !== null ||
      message.closed_at !== null;
    if (settled || Number(message.customer_read_wm) >= job.message_at) return this.#done(job);

    const policy = await policyFor(db, this.#ctx.config, job.page_id, job.category);
    // Contacts are counted (features/escalation/contacts.ts): the in-app message is the first.
    if (!(await mayContact(db, { mid: job.message_mid, channel: 'push', step: PUSH_STEP }, policy.max_contacts)))
      return this.#done(job);
    if (job.stage === 'presence' && this.#o.presence(job.customer_id) !== false) {
      const dueAt = job.message_at + policy.push_after_ms;
      await this.#ctx.storage.writes.run((tx) =>
        tx.db
          .updateTable('push_jobs')
          .set({ stage: 'unread', due_at: dueAt, lease_until: 0 })
          .where('id', '=', job.id)
          .execute(),
      );
      return;
    }
    if (!(await this.#mayPush(job, now))) return this.#done(job);

    const device = await db
      .selectFrom('push_subscriptions')
      .select(['id', 'sealed', 'customer_id'])
      .where('id', '=', job.subscription_id)
      .executeTakeFirst();
    if (device === undefined || device.customer_id !== job.customer_id) return this.#done(job);
    const page = await db.selectFrom('pages').select('name').where('id', '=', job.page_id).executeTakeFirst();
    const delivery = deliveryOf(job.category);
    const answer =
      message.awaits_answer === 1
        ? await this.#answerActions(job, message.body, now + delivery.ttlSeconds * 1000)
        : undefined;
    const payload = pushPayload({
      pageName: page?.name ?? 'your bank',
      conversationId: job.conversation_id,
      mid: job.message_mid,
      category: job.category,
      ...(answer === undefined ? {} : { answer }),
    });
    const target = this.#o.subscriptions.openTarget(device.id, device.sealed);
    const { outcome, status } = await this.#o.send(target, JSON.stringify(payload), {
      ...delivery,
      topic: payload.tag,
    });

    const expired = now + 1 >= job.message_at + delivery.ttlSeconds * 1000;
    await this.#settle(job, device.id, { outcome, status, expired }, now);
  }

  /** Audits the attempt and moves the push on: sent (a contact), device gone, retried, or dropped. */
  async #settle(
    job: Job,
    deviceId: string,
    { outcome, status, expired }: { outcome: PushOutcome; status: number | null; expired: boolean },
    now: number,
  ): Promise<void> {
    await this.#ctx.storage.writes.run(async (tx) => {
      await appendAudit(tx.db, {
        at: now,
        actor: 'hub:push',
        action: 'notification.push',
        customerId: job.customer_id,
        target: job.page_id,
        details: {
          channel: 'web_push',
          category: job.category,
          page_id: job.page_id,
          outcome,
          status,
          attempt: job.attempts + 1,
        },
      });
      if (outcome === 'sent') {
        await tx.db.updateTable('push_subscriptions').set({ last_push_at: now }).where('id', '=', deviceId).execute();
        await tx.db.deleteFrom('push_jobs').where('id', '=', job.id).execute();
        const { message_mid: mid, conversation_id: conversationId, customer_id: customerId } = job;
        await recordContact(tx, { mid, conversationId, customerId, channel: 'push', step: PUSH_STEP }, now);
      } else if (outcome === 'gone') {
        await removeDevices(tx.db, [deviceId]);
      } else if (outcome === 'retry' && !expired) {
        const attempts = job.attempts + 1;
        const dueAt = now + retryDelayMs(attempts, { baseMs: 1_000, capMs: 60_000 });
        await tx.db
          .updateTable('push_jobs')
          .set({ attempts, due_at: dueAt, lease_until: 0 })
          .where('id', '=', job.id)
          .execute();
      } else {
        await tx.db.deleteFrom('push_jobs').where('id', '=', job.id).execute();
      }
    });
  }

  /** A question's buttons as notification actions, with a fresh single-use token; undefined when they cannot travel. */
  async #answerActions(
    job: Job,
    sealed: string,
    expiresAt: number,
  ): Promise<{ actions: PushAction[]; token: string } | undefined> {
    const body = await this.#ctx.storage.vault.openMessage(
      { purpose: 'deliver_to_customer', actor: 'hub:push' },
      job.customer_id,
      sealed,
    );
    const actions = pushActions(body);
    if (actions === null) return undefined;
    const token = await this.#ctx.storage.writes.run((tx) =>
      mintActionToken(tx, {
        customerId: job.customer_id,
        conversationId: job.conversation_id,
        mid: job.message_mid,
        expiresAt,
      }),
    );
    return { actions, token };
  }

  /** The category is still granted to the business, and not kept off push by the customer. */
  async #mayPush(job: Job, now: number): Promise<boolean> {
    const db = this.#ctx.storage.db;
    const state = await db
      .selectFrom('consent_state')
      .select(['status', 'categories', 'expires_at'])
      .where('customer_id', '=', job.customer_id)
      .where('page_id', '=', job.page_id)
      .executeTakeFirst();
    if (
      state === undefined ||
      state.status !== 'active' ||
      state.expires_at === null ||
      Number(state.expires_at) <= now
    )
      return false;
    if (!(JSON.parse(state.categories) as string[]).includes(job.category)) return false;
    const muted = await db
      .selectFrom('push_muted')
      .select('category')
      .where('customer_id', '=', job.customer_id)
      .where('page_id', '=', job.page_id)
      .where('category', '=', job.category)
      .executeTakeFirst();
    return muted === undefined;
  }

  async #done(job: Job): Promise<void> {
    await this.#ctx.storage.writes.run((tx) => tx.db.deleteFrom('push_jobs').where('id', '=', job.id).execute());
  }
}

/**
 * Webhook subscription management for a page's app: callback URL (accepted only after
 * the verification handshake), verify token (sealed with the service key), subscribed
 * fields, and the operator actions behind `confide webhook …`: re-enable, redeliver and
 * status.
 */
import { PlatformError } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { egressPolicyFor } from '../../privacy/egress-guard.js';
import { DEFAULT_FIELDS } from '../pages/pages.js';
import { verifyCallback } from './handshake.js';
import { newStandardSecret } from './standard-webhooks.js';

/** Every subscription field an app may ask for (reference §5.3). */
export const WEBHOOK_FIELDS: readonly string[] = [
  ...DEFAULT_FIELDS,
  'messaging_referrals',
  'message_reactions',
  'message_edits',
  'messaging_policy_enforcement',
  'messaging_feedback',
  // Confide: decisions on four-eyes approval requests (features/inbox/approvals.ts).
  'approvals',
  // Page-level: a utility template's review (features/templates/status-webhook.ts), as on /{page}/subscribed_apps.
  'message_template_status_update',
];

export interface SetSubscriptionInput {
  pageId: string;
  /** One of the page's apps; absent means the page's own app (the first one). */
  appId?: string;
  url: string;
  verifyToken: string;
  /** Replaces the subscribed fields; absent keeps the current ones. */
  fields?: readonly string[];
}

/** What `confide webhook status` shows. Times are ISO strings. */
export interface SubscriptionStatus {
  page_id: string;
  app_id: string;
  callback_url: string | null;
  fields: string[];
  status: string;
  /** Standard Webhooks signatures are sent besides X-Hub-Signature(-256). */
  standard_webhooks: boolean;
  failing_since: string | null;
  alerted_at: string | null;
  disabled_at: string | null;
  pending: number;
  delivered: number;
  next_attempt_at: string | null;
  last_error: string | null;
}

const iso = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();

export class WebhookSubscriptions {
  readonly #ctx: HubContext;
  constructor(ctx: HubContext) {
    this.#ctx = ctx;
  }

  /** Runs the verification handshake against a callback URL (no state is changed); the SSRF guard applies. */
  async verify(url: string, verifyToken: string): Promise<void> {
    await verifyCallback({
      url,
      verifyToken,
      timeoutMs: this.#ctx.config.WEBHOOK_TIMEOUT_MS,
      egress: egressPolicyFor(this.#ctx.config),
    });
  }

  /**
   * Sets the app's callback URL, verify token and fields after a successful handshake,
   * and (re)activates delivery.
   * @throws PlatformError `INVALID_PARAMETER` for unknown fields or a failed handshake.
   */
  async subscribe(input: SetSubscriptionInput): Promise<SubscriptionStatus> {
    const app = await this.#pageApp(input.pageId, input.appId);
    const fields =
      input.fields === undefined ? (JSON.parse(app.subscribed_fields) as string[]) : [...new Set(input.fields)];
    const unknown = fields.filter((f) => !WEBHOOK_FIELDS.includes(f));
    if (fields.length === 0 || unknown.length > 0) {
      throw new PlatformError('INVALID_PARAMETER', {
        message:
          fields.length === 0 ? 'Subscribe to at least one field' : `Unknown webhook field(s): ${unknown.join(', ')}`,
        detail: { allowed: WEBHOOK_FIELDS },
      });
    }
    await this.verify(input.url, input.verifyToken);
    await this.#ctx.storage.writes.run(async (tx) => {
      await tx.db
        .updateTable('apps')
        .set({
          webhook_url: input.url,
          verify_token_enc: this.#ctx.secrets.seal(input.verifyToken, `verify-token:${app.id}`),
          subscribed_fields: JSON.stringify(fields),
          webhook_status: 'active',
          webhook_failing_since: null,
          webhook_alerted_at: null,
          webhook_disabled_at: null,
        })
        .where('id', '=', app.id)
        .execute();
      tx.afterCommit(() => this.#ctx.bus.publish({ name: 'webhook.enqueued', appId: app.id }));
    });
    return this.status(input.pageId, input.appId);
  }

  /**
   * Removes fields from an app's subscription; without fields (or when none is left) the
   * subscription itself goes: no callback URL, no verify token, nothing more is queued.
   */
  async unsubscribe({
    pageId,
    appId,
    fields,
  }: {
    pageId: string;
    appId?: string;
    fields?: readonly string[] | undefined;
  }): Promise<void> {
    const app = await this.#pageApp(pageId, appId);
    const left =
      fields === undefined ? [] : (JSON.parse(app.subscribed_fields) as string[]).filter((f) => !fields.includes(f));
    await this.#ctx.storage.writes.run(({ db }) =>
      db
        .updateTable('apps')
        .set(
          left.length === 0
            ? { webhook_url: null, verify_token_enc: null }
            : { subscribed_fields: JSON.stringify(left) },
        )
        .where('id', '=', app.id)
        .execute(),
    );
  }

  /**
   * Turns Standard Webhooks signatures on with a new `whsec_` secret (returned once; calling
   * again rotates it), or off. `X-Hub-Signature(-256)` are sent either way.
   */
  async setStandardSigning({
    pageId,
    appId,
    on,
  }: {
    pageId: string;
    appId?: string;
    on: boolean;
  }): Promise<{ app_id: string; standard_webhooks: boolean; secret?: string }> {
    const app = await this.#pageApp(pageId, appId);
    const secret = on ? newStandardSecret() : undefined;
    await this.#ctx.storage.writes.run(({ db }) =>
      db
        .updateTable('apps')
        .set({
          std_webhook_secret_enc:
            secret === undefined ? null : this.#ctx.secrets.seal(secret, `std-webhook-secret:${app.id}`),
        })
        .where('id', '=', app.id)
        .execute(),
    );
    return { app_id: app.id, standard_webhooks: on, ...(secret === undefined ? {} : { secret }) };
  }

  /** Re-enables a disabled (or failing) subscription; pending events are retried at once. */
  async enable(pageId: string): Promise<SubscriptionStatus> {
    const app = await this.#pageApp(pageId);
    if (app.webhook_url === null)
      throw new PlatformError('INVALID_PARAMETER', {
        message: `Page ${pageId} has no callback URL; use \`confide webhook set\``,
      });
    const now = this.#ctx.now();
    await this.#ctx.storage.writes.run(async (tx) => {
      await tx.db
        .updateTable('apps')
        .set({
          webhook_status: 'active',
          webhook_failing_since: null,
          webhook_alerted_at: null,
          webhook_disabled_at: null,
        })
        .where('id', '=', app.id)
        .execute();
      await tx.db
        .updateTable('webhook_outbox')
        .set({ next_attempt_at: now, attempts: 0 })
        .where('app_id', '=', app.id)
        .where('delivered_at', 'is', null)
        .execute();
      tx.afterCommit(() => this.#ctx.bus.publish({ name: 'webhook.enqueued', appId: app.id }));
    });
    return this.status(pageId);
  }

  /**
   * Queues already delivered events again (those created at or after `since`, and/or with
   * outbox ids in `ids`, e.g. one attempt of the console's delivery log); returns how many.
   */
  async redeliver(pageId: string, since?: number, ids?: { from: number; to: number }): Promise<number> {
    const app = await this.#pageApp(pageId);
    const now = this.#ctx.now();
    return this.#ctx.storage.writes.run(async (tx) => {
      let q = tx.db
        .updateTable('webhook_outbox')
        .set({
          delivered_at: null,
          attempts: 0,
          next_attempt_at: now,
          last_error: null,
          leased_until: null,
          lease_owner: null,
        })
        .where('app_id', '=', app.id)
        .where('delivered_at', 'is not', null);
      if (since !== undefined) q = q.where('created_at', '>=', since);
      if (ids !== undefined) q = q.where('id', '>=', ids.from).where('id', '<=', ids.to);
      const result = await q.executeTakeFirst();
      const count = Number(result.numUpdatedRows);
      if (count > 0) tx.afterCommit(() => this.#ctx.bus.publish({ name: 'webhook.enqueued', appId: app.id }));
      return count;
    });
  }

  async status(pageId: string, appId?: string): Promise<SubscriptionStatus> {
    const app = await this.#pageApp(pageId, appId);
    const db = this.#ctx.storage.db;
    const counts = await db
      .selectFrom('webhook_outbox')
      .select((eb) => [
        eb.fn.count<number>(eb.case().when('delivered_at', 'is', null).then(1).end()).as('pending'),
        eb.fn.count<number>('delivered_at').as('delivered'),
      ])
      .where('app_id', '=', app.id)
      .executeTakeFirstOrThrow();
    const head = await db
      .selectFrom('webhook_outbox')
      .select(['next_attempt_at', 'last_error'])
      .where('app_id', '=', app.id)
      .where('delivered_at', 'is', null)
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    return {
      page_id: pageId,
      app_id: app.id,
      callback_url: app.webhook_url,
      fields: JSON.parse(app.subscribed_fields) as string[],
      status: app.webhook_status,
      standard_webhooks: app.std_webhook_secret_enc !== null,
      failing_since: iso(app.webhook_failing_since),
      alerted_at: iso(app.webhook_alerted_at),
      disabled_at: iso(app.webhook_disabled_at),
      pending: Number(counts.pending),
      delivered: Number(counts.delivered),
      next_attempt_at: iso(head?.next_attempt_at),
      last_error: head?.last_error ?? null,
    };
  }

  /** The page's app `appId`, or its own app (the first one created with the page). */
  async #pageApp(pageId: string, appId?: string) {
    let q = this.#ctx.storage.db.selectFrom('apps').selectAll().where('page_id', '=', pageId);
    if (appId !== undefined) q = q.where('id', '=', appId);
    const app = await q.orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
    if (app === undefined) throw new PlatformError('NOT_FOUND', { message: `No page ${pageId}` });
    return app;
  }
}

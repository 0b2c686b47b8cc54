/**
 * A page's webhook in the console: the subscription (callback URL and verify token,
 * accepted only after the live handshake; fields), a test event posted at once, the
 * delivery log (every POST with its status, latency, attempt, response code and the first
 * characters of the answer; the queue's next retry), redelivery and re-enabling. The
 * subscription itself is features/webhooks' (the same use cases as `confide webhook`).
 */
import { PlatformError } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { randomSecret } from '../../crypto/tokens.js';
import { egressPolicyFor } from '../../privacy/egress-guard.js';
import type { Privacy } from '../../privacy/privacy.js';
import type { Pages } from '../pages/pages.js';
import { recordAttempt } from '../webhooks/attempt-log.js';
import { postWebhook } from '../webhooks/post-webhook.js';
import { WEBHOOK_FIELDS, type SubscriptionStatus, type WebhookSubscriptions } from '../webhooks/subscriptions.js';
import { assertCan } from './access.js';
import type { ConsolePages } from './console-pages.js';
import type { Member } from './members.js';

/** One POST of the delivery log. */
export interface DeliveryAttempt {
  id: string;
  at: number;
  kind: 'delivery' | 'test';
  first_event_id: number | null;
  last_event_id: number | null;
  events: number;
  attempt: number;
  ok: boolean;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  response_snippet: string;
}

export interface WebhookView extends SubscriptionStatus {
  available_fields: string[];
}

/** The sender of test events: not a customer, so a bot answering it gets "No matching user". */
export const TEST_SENDER_ID = '0000000000000000';

export class ConsoleWebhooks {
  readonly #ctx: HubContext;
  readonly #pages: ConsolePages;
  readonly #platformPages: Pages;
  readonly #subscriptions: WebhookSubscriptions;
  readonly #privacy: Privacy;

  constructor(
    ctx: HubContext,
    pages: ConsolePages,
    platformPages: Pages,
    subscriptions: WebhookSubscriptions,
    privacy: Privacy,
  ) {
    this.#ctx = ctx;
    this.#pages = pages;
    this.#platformPages = platformPages;
    this.#subscriptions = subscriptions;
    this.#privacy = privacy;
  }

  async get(member: Member, pageId: string): Promise<WebhookView> {
    const page = await this.#pages.get(member, pageId);
    return { ...(await this.#subscriptions.status(page.id)), available_fields: [...WEBHOOK_FIELDS] };
  }

  /**
   * Sets the callback after the live handshake; a failed handshake (or a private address in
   * production) is refused with its reason and nothing changes.
   */
  async set(
    member: Member,
    pageId: string,
    input: { url: string; verify_token: string; fields?: string[] | undefined },
  ): Promise<WebhookView> {
    assertCan(member.role, 'webhooks.manage');
    const page = await this.#pages.get(member, pageId);
    await this.#subscriptions.subscribe({
      pageId: page.id,
      url: input.url,
      verifyToken: input.verify_token,
      ...(input.fields === undefined ? {} : { fields: input.fields }),
    });
    await this.#privacy.record({
      actor: `member:${member.id}`,
      action: 'webhook.config',
      target: page.app_id,
      details: { change: 'subscribed' },
    });
    return this.get(member, pageId);
  }

  async enable(member: Member, pageId: string): Promise<WebhookView> {
    assertCan(member.role, 'webhooks.manage');
    const page = await this.#pages.get(member, pageId);
    await this.#subscriptions.enable(page.id);
    await this.#privacy.record({
      actor: `member:${member.id}`,
      action: 'webhook.config',
      target: page.app_id,
      details: { change: 'enabled' },
    });
    return this.get(member, pageId);
  }

  /** Queues delivered events again: those of one range of outbox ids, or created since a time. */
  async redeliver(
    member: Member,
    pageId: string,
    input: { since?: number | undefined; from_event_id?: number | undefined; to_event_id?: number | undefined },
  ): Promise<number> {
    assertCan(member.role, 'webhooks.manage');
    const page = await this.#pages.get(member, pageId);
    const range =
      input.from_event_id === undefined
        ? undefined
        : { from: input.from_event_id, to: input.to_event_id ?? input.from_event_id };
    if (range === undefined && input.since === undefined)
      throw new PlatformError('BAD_REQUEST', {
        message: 'Name the events to redeliver: since, or from_event_id (and to_event_id).',
      });
    const count = await this.#subscriptions.redeliver(page.id, input.since, range);
    await this.#privacy.record({
      actor: `member:${member.id}`,
      action: 'webhook.config',
      target: page.app_id,
      details: { change: 'redelivered', events: count },
    });
    return count;
  }

  /** Posts a sample `messages` event to the callback now, signed like every delivery, and logs the attempt. */
  async sendTest(member: Member, pageId: string): Promise<DeliveryAttempt> {
    assertCan(member.role, 'webhooks.manage');
    const page = await this.#pages.get(member, pageId);
    const status = await this.#subscriptions.status(page.id);
    if (status.callback_url === null) throw new PlatformError('BAD_REQUEST', { message: 'Set a callback URL first.' });
    const now = this.#ctx.now();
    const item = {
      sender: { id: TEST_SENDER_ID },
      recipient: { id: page.id },
      timestamp: now,
      message: { mid: `m_test_${randomSecret(12)}`, text: 'Test event from the Confide console', is_test: true },
    };
    const result = await postWebhook({
      url: status.callback_url,
      body: { object: 'page', entry: [{ id: page.id, time: now, messaging: [item] }] },
      appSecret: await this.#platformPages.appSecret(page.app_id),
      timeoutMs: this.#ctx.config.WEBHOOK_TIMEOUT_MS,
      egress: egressPolicyFor(this.#ctx.config),
    });
    await this.#ctx.storage.writes.run(({ db }) =>
      recordAttempt(db, { appId: page.app_id, kind: 'test', now, eventIds: [], attempt: 1, result }),
    );
    const [attempt] = await this.#attempts(page.app_id, 1);
    if (attempt === undefined) throw new PlatformError('INTERNAL');
    return attempt;
  }

  /** The newest attempts, newest first. */
  async deliveries(member: Member, pageId: string, limit: number): Promise<DeliveryAttempt[]> {
    const page = await this.#pages.get(member, pageId);
    return this.#attempts(page.app_id, limit);
  }

  async #attempts(appId: string, limit: number): Promise<DeliveryAttempt[]> {
    const rows = await this.#ctx.storage.db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('app_id', '=', appId)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(({ app_id: _app, ok, first_event_id, last_event_id, at, ...r }) => ({
      ...r,
      at: Number(at),
      ok: ok === 1,
      first_event_id: first_event_id === null ? null : Number(first_event_id),
      last_event_id: last_event_id === null ? null : Number(last_event_id),
    }));
  }
}

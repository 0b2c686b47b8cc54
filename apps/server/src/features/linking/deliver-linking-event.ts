/**
 * Synchronous delivery of `messaging_account_linking {status:'linked'}`: Messenger aborts
 * the link when the business does not acknowledge this event, so it cannot go through
 * the outbox. One signed POST (same envelope, bytes and both signature headers as the
 * outbox), bounded by the webhook timeout; only a 2xx counts. The POST passes the same
 * SSRF guard as the outbox's: a destination the guard refuses aborts the link.
 */
import { serializeWebhookBody, signWebhookBody } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { assertEgressAllowed, egressPolicyFor, EgressRefusedError } from '../../privacy/egress-guard.js';
import type { Pages } from '../pages/pages.js';

export interface LinkingEventInput {
  pageId: string;
  psid: string;
  accountLinking: Record<string, unknown>;
  now: number;
}

export type DeliveryResult =
  { ok: true } | { ok: false; reason: 'no_webhook' | 'not_acknowledged' | 'webhook_refused' };

export async function deliverLinkingEvent(
  ctx: HubContext,
  pages: Pages,
  input: LinkingEventInput,
): Promise<DeliveryResult> {
  const apps = await ctx.storage.db
    .selectFrom('apps')
    .select(['id', 'webhook_url', 'subscribed_fields'])
    .where('page_id', '=', input.pageId)
    .where('webhook_url', 'is not', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const app = apps.find((a) => (JSON.parse(a.subscribed_fields) as string[]).includes('messaging_account_linking'));
  if (app?.webhook_url == null) return { ok: false, reason: 'no_webhook' };
  const event = {
    sender: { id: input.psid },
    recipient: { id: input.pageId },
    timestamp: input.now,
    account_linking: input.accountLinking,
  };
  const raw = serializeWebhookBody({
    object: 'page',
    entry: [{ id: input.pageId, time: input.now, messaging: [event] }],
  });
  const signatures = await signWebhookBody(raw, await pages.appSecret(app.id));
  try {
    await assertEgressAllowed(app.webhook_url, egressPolicyFor(ctx.config));
  } catch (err) {
    if (!(err instanceof EgressRefusedError)) {
      ctx.log.info({ pageId: input.pageId, err: (err as Error).message }, 'account linking webhook failed');
      return { ok: false, reason: 'not_acknowledged' };
    }
    ctx.log.warn(
      { pageId: input.pageId, appId: app.id, err: err.message },
      'account linking webhook refused by the SSRF guard; the link is aborted',
    );
    return { ok: false, reason: 'webhook_refused' };
  }
  try {
    const res = await fetch(app.webhook_url, {
      method: 'POST',
      body: raw,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature': signatures.sha1,
        'x-hub-signature-256': signatures.sha256,
        'user-agent': 'Confide-Webhooks/1.0',
      },
      redirect: 'manual',
      signal: AbortSignal.timeout(ctx.config.WEBHOOK_TIMEOUT_MS),
    });
    await res.body?.cancel();
    if (res.status >= 200 && res.status < 300) return { ok: true };
    ctx.log.info({ pageId: input.pageId, status: res.status }, 'account linking webhook not acknowledged');
  } catch (err) {
    ctx.log.info({ pageId: input.pageId, err: (err as Error).message }, 'account linking webhook failed');
  }
  return { ok: false, reason: 'not_acknowledged' };
}

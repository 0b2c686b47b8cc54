/** One POST of a claimed batch to its app's callback (worker.ts): signed, enveloped, under the egress guard. */
import type { HubContext } from '../../context.js';
import { egressPolicyFor } from '../../privacy/egress-guard.js';
import type { Pages } from '../pages/pages.js';
import { releaseBatch, type ClaimedBatch } from './delivery-store.js';
import { serializeEnvelope } from './envelope.js';
import { postWebhook, type PostWebhookResult } from './post-webhook.js';
import { standardMessageId } from './standard-webhooks.js';

/**
 * Posts the batch, signed with the app secrets its claim read (sealed, with the app's row: a POST reads
 * nothing); aborted when the lease is lost. A batch whose secrets cannot be opened is given back.
 */
export async function postBatch(
  ctx: HubContext,
  pages: Pages,
  batch: ClaimedBatch,
  leaseLost: AbortSignal,
  owner: string,
): Promise<PostWebhookResult> {
  const { config } = ctx;
  let secret: string;
  let standardSecret: string | null;
  try {
    ({ appSecret: secret, standardSecret } = pages.openWebhookSecrets(batch.appId, batch.secrets));
  } catch (err) {
    await ctx.storage.writes.run((tx) => releaseBatch(tx, batch, owner));
    throw err;
  }
  const standard =
    standardSecret === null
      ? undefined
      : {
          secret: standardSecret,
          id: standardMessageId(
            batch.appId,
            batch.events.map((e) => e.id),
          ),
        };
  return postWebhook({
    url: batch.url,
    raw: serializeEnvelope(batch.events, ctx.now()),
    appSecret: secret,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    egress: egressPolicyFor(config),
    signal: leaseLost,
    standard,
  });
}

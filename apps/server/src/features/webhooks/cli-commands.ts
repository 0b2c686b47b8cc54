/**
 * `confide webhook set|enable|redeliver|status`: argument checks and the call to the
 * matching use case. The CLI prints whatever object comes back.
 */
import { PlatformError } from '@confide/protocol';
import type { SubscriptionStatus, WebhookSubscriptions } from './subscriptions.js';

export const WEBHOOK_COMMANDS = [
  'webhook set',
  'webhook enable',
  'webhook redeliver',
  'webhook status',
  'webhook standard',
] as const;
export type WebhookCommand = (typeof WEBHOOK_COMMANDS)[number];

export const WEBHOOK_HELP = `  confide webhook set --page ID --url URL --verify-token TOKEN [--fields messages,messaging_postbacks,…] [--json]
      Set the page app's callback URL after the verification handshake (GET with hub.challenge).
  confide webhook enable --page ID [--json]          Re-enable a disabled subscription and resume delivery.
  confide webhook redeliver --page ID [--since ISO]  Queue already delivered events again.
  confide webhook status --page ID [--json]          Subscription state, failures and queue counts.
  confide webhook standard --page ID [--off] [--json]
      Turn on Standard Webhooks signatures (webhook-id, webhook-timestamp, webhook-signature) besides
      X-Hub-Signature(-256); prints the whsec_ secret once (running it again rotates it). --off turns them off.
`;

export interface WebhookCommandArgs {
  page?: string | undefined;
  url?: string | undefined;
  verifyToken?: string | undefined;
  /** Comma-separated field list. */
  fields?: string | undefined;
  /** ISO date or epoch milliseconds. */
  since?: string | undefined;
  /** `webhook standard --off`. */
  off?: boolean | undefined;
}

export function isWebhookCommand(command: string): command is WebhookCommand {
  return (WEBHOOK_COMMANDS as readonly string[]).includes(command);
}

const usage = (message: string) => new PlatformError('INVALID_PARAMETER', { message });

export async function runWebhookCommand(
  webhooks: WebhookSubscriptions,
  command: WebhookCommand,
  args: WebhookCommandArgs,
): Promise<
  | SubscriptionStatus
  | { page_id: string; requeued: number }
  | { app_id: string; standard_webhooks: boolean; secret?: string }
> {
  const pageId = args.page;
  if (pageId === undefined) throw usage(`${command} needs --page`);
  switch (command) {
    case 'webhook set': {
      if (args.url === undefined || args.verifyToken === undefined)
        throw usage('webhook set needs --url and --verify-token');
      const fields = args.fields
        ?.split(',')
        .map((f) => f.trim())
        .filter(Boolean);
      return webhooks.subscribe({
        pageId,
        url: args.url,
        verifyToken: args.verifyToken,
        ...(fields === undefined ? {} : { fields }),
      });
    }
    case 'webhook enable':
      return webhooks.enable(pageId);
    case 'webhook redeliver':
      return { page_id: pageId, requeued: await webhooks.redeliver(pageId, parseSince(args.since)) };
    case 'webhook status':
      return webhooks.status(pageId);
    case 'webhook standard':
      return webhooks.setStandardSigning({ pageId, on: args.off !== true });
  }
}

function parseSince(since: string | undefined): number | undefined {
  if (since === undefined) return undefined;
  const ms = /^\d+$/.test(since) ? Number(since) : Date.parse(since);
  if (Number.isNaN(ms)) throw usage(`--since is not an ISO date: ${since}`);
  return ms;
}

/**
 * Features Meta retired, answered as Graph answers a deprecated feature (`(#12)`), with a
 * message that says what was retired, when, and what to use instead, rather than the generic
 * "Unsupported request" a client cannot act on. Also `nlp_configs`, which Confide accepts
 * and ignores (it adds no NLP data to webhooks).
 */
import { PlatformError } from '@confide/protocol';
import { numericParam, PAGE_BASES, type GraphRoutes } from '../../http/graph-request.js';

const RECURRING_NOTIFICATIONS_RETIRED =
  'Recurring Notifications (notification_messages) were retired by Meta on 2026-02-10 and are not available on Confide; ' +
  'send proactive updates as utility messages or with a message tag the customer has consented to';

/** `POST /me/nlp_configs` and the retired `/{app-id}/page_activities` (App Events for Messenger). */
export function retiredFeatureRoutes(): GraphRoutes {
  return (router) => {
    for (const base of PAGE_BASES) {
      // Built-in NLP enriched `messages` webhooks with `nlp` entities; Confide never does, so
      // switching it on or off changes nothing and succeeds, as a bot set-up script expects.
      router.route('POST', `${base}/nlp_configs`, async (call) => {
        const enabled = call.params['nlp_enabled'];
        if (enabled !== undefined && !['true', 'false', true, false].includes(enabled as string | boolean)) {
          throw new PlatformError('INVALID_PARAMETER', {
            message: 'param nlp_enabled must be a boolean',
            detail: { param: 'nlp_enabled' },
          });
        }
        return { success: true };
      });
    }
    router.route(
      'POST',
      `/${numericParam('appId')}/page_activities`,
      async () => {
        throw new PlatformError('FEATURE_RETIRED', {
          message:
            'App Events for Messenger (/{app-id}/page_activities) were retired by Meta and are not available on Confide; ' +
            'Confide records no analytics events about customers',
        });
      },
      { auth: 'any' },
    );
  };
}

/**
 * A Send API request that uses Recurring Notifications: the `notification_messages` opt-in
 * template or a `notification_messages_token` recipient.
 * @throws PlatformError `FEATURE_RETIRED` (#12) naming the retirement.
 */
export function assertNotRecurringNotification(params: Record<string, unknown>): void {
  const recipient = params['recipient'];
  const usesToken = typeof recipient === 'object' && recipient !== null && 'notification_messages_token' in recipient;
  const message = params['message'] as { attachment?: { payload?: { template_type?: unknown } } } | undefined;
  const usesTemplate = message?.attachment?.payload?.template_type === 'notification_messages';
  if (usesToken || usesTemplate)
    throw new PlatformError('FEATURE_RETIRED', { message: RECURRING_NOTIFICATIONS_RETIRED });
}

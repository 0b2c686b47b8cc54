/**
 * `GET|POST /{version}/{page-id}/notification_policies` (and `/me/…`), page token: the page's
 * escalation policy per notification category (policies.ts). A Confide extension.
 */
import { PAGE_BASES, parseParams, type GraphRoutes } from '../../http/graph-request.js';
import { PolicyRequestSchema, presentPolicy, type EscalationPolicies } from './policies.js';

export function notificationPolicyRoutes(policies: EscalationPolicies): GraphRoutes {
  return (router) => {
    for (const base of PAGE_BASES) {
      router.route('GET', `${base}/notification_policies`, async (call) => ({
        data: (await policies.list(call.principal.pageId)).map(presentPolicy),
      }));
      router.route('POST', `${base}/notification_policies`, async (call) =>
        presentPolicy(await policies.set(call.principal.pageId, parseParams(PolicyRequestSchema, call.params))),
      );
    }
  };
}

/**
 * `GET|POST|DELETE /{app-id}/subscriptions` with an app access token (`{app-id}|{app-secret}`):
 * webhook set-up from code, as Meta's reference bots do it. POST runs the same verification
 * handshake as `confide webhook set` before the callback URL is accepted. Only `object=page`
 * exists on Confide.
 */
import { PlatformError } from '@confide/protocol';
import { z } from 'zod';
import { numericParam, parseParams, type GraphCall, type GraphRoutes } from '../../http/graph-request.js';
import { fieldList } from '../graph/page-objects.js';
import type { WebhookSubscriptions } from './subscriptions.js';

/** The Graph version reported for subscribed fields (Confide's webhook payloads follow it). */
export const WEBHOOK_PAYLOAD_VERSION = 'v25.0';

const SubscribeParamsSchema = z.object({
  object: z.string(),
  callback_url: z.string().min(1).max(2048),
  verify_token: z.string().min(1).max(512),
});

export function appSubscriptionRoutes(webhooks: WebhookSubscriptions): GraphRoutes {
  return (router) => {
    const path = `/${numericParam('appId')}/subscriptions`;
    router.route('GET', path, async (call) => ({ data: await list(webhooks, call) }), { auth: 'app' });
    router.route(
      'POST',
      path,
      async (call) => {
        const params = parseParams(SubscribeParamsSchema, call.params);
        assertPageObject(params.object);
        const fields = fieldList(call.params['fields']);
        if (fields === undefined || fields.length === 0) {
          throw new PlatformError('INVALID_PARAMETER', {
            message: 'param fields is required',
            detail: { param: 'fields' },
          });
        }
        const { pageId, appId } = call.principal;
        await webhooks.subscribe({ pageId, appId, url: params.callback_url, verifyToken: params.verify_token, fields });
        return { success: true };
      },
      { auth: 'app' },
    );
    router.route(
      'DELETE',
      path,
      async (call) => {
        const object = call.params['object'];
        if (object !== undefined) assertPageObject(object);
        const { pageId, appId } = call.principal;
        await webhooks.unsubscribe({ pageId, appId, fields: fieldList(call.params['fields']) });
        return { success: true };
      },
      { auth: 'app' },
    );
    // Confide's own: Standard Webhooks signatures on (a new whsec_ secret, shown once) or off.
    const standard = `/${numericParam('appId')}/standard_webhooks`;
    router.route('POST', standard, async (call) => webhooks.setStandardSigning({ ...call.principal, on: true }), {
      auth: 'app',
    });
    router.route(
      'DELETE',
      standard,
      async (call) => {
        await webhooks.setStandardSigning({ ...call.principal, on: false });
        return { success: true };
      },
      { auth: 'app' },
    );
  };
}

async function list(webhooks: WebhookSubscriptions, call: GraphCall) {
  const status = await webhooks.status(call.principal.pageId, call.principal.appId);
  if (status.callback_url === null) return [];
  return [
    {
      object: 'page',
      callback_url: status.callback_url,
      active: status.status !== 'disabled',
      fields: status.fields.map((name) => ({ name, version: WEBHOOK_PAYLOAD_VERSION })),
    },
  ];
}

function assertPageObject(object: unknown): void {
  if (object !== 'page') {
    throw new PlatformError('INVALID_PARAMETER', {
      message: `param object must be page (Confide has webhooks for pages only)`,
      detail: { param: 'object' },
    });
  }
}

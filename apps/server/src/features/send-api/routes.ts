/** `POST /{version}/me/messages` and `/{version}/{page-id}/messages`. */
import { PAGE_BASES, type GraphRoutes } from '../../http/graph-request.js';
import type { SendApi } from './send-message.js';

export function sendApiRoutes(sendApi: SendApi): GraphRoutes {
  return (router) => {
    for (const base of PAGE_BASES) router.route('POST', `${base}/messages`, (call) => sendApi.send(call));
  };
}
